// A real Prometheus scrapes the node role; the dashboard's (Node Exporter Full) core queries return values.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";

let prom: RunningPrometheus;
let agent: RunningAgent;

beforeAll(async () => {
  agent = await startAgent({ roles: ["node"] });
  prom = await startPrometheus({
    scrapeConfigs: [{ job_name: "node", static_configs: [{ targets: [`127.0.0.1:${agent.ports.node}`] }] }],
  });
});

afterAll(async () => {
  await prom?.stop();
  await agent?.stop();
});

const one = (r: { value: [number, string] }[]) => Number(r[0]!.value[1]);

describe("node role under a real Prometheus", () => {
  test("CPU busy %, memory used and root filesystem free come back from the dashboard's queries", async () => {
    await prom.waitFor('up{job="node"}', (r) => r.length === 1 && r[0]!.value[1] === "1", 20000);
    // rate() needs two samples, and irate over a 1 s interval needs a few seconds of history.
    const busy = await prom.waitFor(
      '100 * (1 - avg(rate(node_cpu_seconds_total{mode="idle",job="node"}[10s])))',
      (r) => r.length === 1 && Number.isFinite(one(r)),
      20000,
    );
    expect(one(busy)).toBeGreaterThanOrEqual(0);
    expect(one(busy)).toBeLessThanOrEqual(100);

    const used = await prom.query('node_memory_MemTotal_bytes{job="node"} - node_memory_MemAvailable_bytes{job="node"}');
    expect(used).toHaveLength(1);
    expect(one(used)).toBeGreaterThan(0);

    const rootFree = await prom.query('100 * node_filesystem_avail_bytes{job="node",mountpoint="/",fstype!="rootfs"} / node_filesystem_size_bytes{job="node",mountpoint="/",fstype!="rootfs"}');
    expect(rootFree).toHaveLength(1);
    expect(one(rootFree)).toBeGreaterThan(0);
    expect(one(rootFree)).toBeLessThanOrEqual(100);

    // Every panel joins on node_uname_info's nodename.
    const uname = await prom.query('node_uname_info{job="node"}');
    expect(uname[0]!.metric.nodename).toBeTruthy();
    // The collectors behind those panels succeed (others report 0 where this host lacks their source, as
    // node_exporter does).
    const ok = await prom.query('min(node_scrape_collector_success{job="node",collector=~"cpu|meminfo|filesystem|netdev|diskstats|loadavg|uname"})');
    expect(one(ok)).toBe(1);
  }, 60000);
});
