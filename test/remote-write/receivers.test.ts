/**
 * Remote write from the node and push roles to a real Prometheus and a real VictoriaMetrics at once, with a
 * third receiver that answers 400 to everything: PromQL over each receiver returns what /metrics served,
 * under the labels a scrape would give, and the bad receiver holds up neither of the others.
 */
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { startAgent, startPrometheus, startVictoriaMetrics, type PromSample, type RunningAgent, type RunningPrometheus, type RunningVictoriaMetrics } from "../harness/index.ts";

setDefaultTimeout(60_000);

let agent: RunningAgent;
let prom: RunningPrometheus;
let vm: RunningVictoriaMetrics;
let bad: ReturnType<typeof Bun.serve>;
let badRequests = 0;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rw-receivers-"));
  [prom, vm] = await Promise.all([startPrometheus({ scrapeConfigs: [], extraArgs: ["--web.enable-remote-write-receiver"] }), startVictoriaMetrics()]);
  bad = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => {
      badRequests++;
      return new Response("out-of-order sample\n", { status: 400 });
    },
  });
  const config = {
    remote_write: [
      { url: `${prom.url}/api/v1/write`, name: "prom", write_relabel_configs: [{ source_labels: ["__name__"], regex: "node_scrape_.*", action: "drop" }] },
      { url: vm.writeUrl, name: "vm", headers: { "X-Scope-OrgID": "team-a" } },
      { url: `http://127.0.0.1:${bad.port}/api/v1/write`, name: "bad" },
    ],
    external_labels: { cluster: "hpc-1" },
    remote_write_interval: "1s",
  };
  writeFileSync(join(dir, "agent.yml"), JSON.stringify(config));
  agent = await startAgent({ roles: ["node", "push"], args: [`--config.file=${join(dir, "agent.yml")}`] });
});

afterAll(async () => {
  await agent?.stop();
  await Promise.all([prom?.stop(), vm?.stop(), bad?.stop(true)]);
  rmSync(dir, { recursive: true, force: true });
});

const receivers = () => [
  ["Prometheus", prom] as const,
  ["VictoriaMetrics", vm] as const,
];

async function served(role: "node" | "push", family: string) {
  const text = await (await fetch(`${agent.urls[role]}/metrics`)).text();
  return parseText(text).find((f) => f.name === family)?.samples ?? [];
}

/** Series id (name and sorted labels, empty values left out as Prometheus leaves them out) -> value. */
function seriesId(name: string, labels: Record<string, string>): string {
  return `${name}${JSON.stringify(Object.entries(labels).filter(([, v]) => v !== "").sort())}`;
}

function byLabels(result: PromSample[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of result) {
    const { __name__, ...labels } = r.metric;
    out[seriesId(__name__!, labels)] = r.value[1];
  }
  return out;
}

describe("pushed groups", () => {
  const group = "/metrics/job/batch/instance/worker-1";
  const body = [
    "# TYPE jobs_done_total counter",
    'jobs_done_total{queue="a"} 7',
    "# TYPE job_seconds histogram",
    'job_seconds_bucket{le="0.5"} 2',
    'job_seconds_bucket{le="+Inf"} 3',
    "job_seconds_sum 4.25",
    "job_seconds_count 3",
    "# TYPE job_quantiles summary",
    'job_quantiles{quantile="0.9"} 1.5',
    "job_quantiles_sum 9",
    "job_quantiles_count 6",
    "",
  ].join("\n");

  test("arrive with their own job and instance, histograms and summaries as their classic series", async () => {
    expect((await fetch(agent.urls.push + group, { method: "PUT", body })).status).toBe(200);
    for (const [name, rx] of receivers()) {
      const done = await rx.waitFor("jobs_done_total", (r) => r.length === 1);
      expect(done[0]!.metric, name).toEqual({ __name__: "jobs_done_total", cluster: "hpc-1", instance: "worker-1", job: "batch", queue: "a" });
      expect(done[0]!.value[1]).toBe("7");
      const parts = byLabels(await rx.waitFor('{__name__=~"job_seconds.*|job_quantiles.*"}', (r) => r.length === 7));
      const own = { cluster: "hpc-1", instance: "worker-1", job: "batch" };
      expect(parts[seriesId("job_seconds_bucket", { ...own, le: "0.5" })], name).toBe("2");
      expect(parts[seriesId("job_seconds_bucket", { ...own, le: "+Inf" })], name).toBe("3");
      expect(parts[seriesId("job_seconds_sum", own)], name).toBe("4.25");
      expect(parts[seriesId("job_quantiles", { ...own, quantile: "0.9" })], name).toBe("1.5");
      expect(parts[seriesId("job_quantiles_count", own)], name).toBe("6");
    }
    // push_time_seconds is what /metrics served, to the millisecond Prometheus keeps.
    const pushTime = (await served("push", "push_time_seconds")).find((s) => s.labels.job === "batch")!.value;
    const got = await prom.waitFor('push_time_seconds{job="batch"}', (r) => r.length === 1);
    expect(Number(got[0]!.value[1])).toBeCloseTo(pushTime, 3);
  });

  test("a deleted group is marked stale: gone from instant queries at once, its samples still stored", async () => {
    await prom.waitFor("jobs_done_total", (r) => r.length === 1);
    expect((await fetch(agent.urls.push + group, { method: "DELETE" })).status).toBe(202);
    // Without a stale marker Prometheus would keep answering with the last value for 5 minutes.
    await prom.waitFor("jobs_done_total", (r) => r.length === 0, 10_000);
    expect((await prom.query("count_over_time(jobs_done_total[5m])"))[0]!.value[1]).not.toBe("0");
    await vm.waitFor("jobs_done_total", (r) => r.length === 0, 10_000);
  });
});

describe("node role", () => {
  test("PromQL returns what /metrics served, with job, instance and external labels", async () => {
    const instance = `${hostname()}:${agent.ports.node}`;
    for (const family of ["node_memory_MemTotal_bytes", "node_filesystem_size_bytes", "node_uname_info", "agent_build_info"]) {
      const samples = await served("node", family);
      expect(samples.length, family).toBeGreaterThan(0);
      const want = Object.fromEntries(samples.map((s) => [seriesId(family, { ...s.labels, cluster: "hpc-1", instance, job: "node" }), String(s.value)]));
      for (const [name, rx] of receivers()) {
        const got = byLabels(await rx.waitFor(`${family}{job="node"}`, (r) => r.length === samples.length));
        expect(got, `${family} from ${name}`).toEqual(want);
      }
    }
  });

  test("write_relabel_configs apply per receiver", async () => {
    expect((await vm.waitFor("node_scrape_collector_success", (r) => r.length > 0)).length).toBeGreaterThan(0);
    expect(await prom.query("node_scrape_collector_success")).toEqual([]);
    expect(Number((await prom.query('{__name__=~"node_load1|node_time_seconds"}')).length)).toBe(2);
  });
});

describe("a receiver that refuses everything", () => {
  test("has its batches counted as failed and does not hold up the others", async () => {
    const metrics = async () => {
      const text = await (await fetch(`${agent.urls.node}/metrics`)).text();
      const pick = (family: string, name: string) => (parseText(text).find((f) => f.name === family)?.samples ?? []).find((s) => s.labels.remote_name === name)?.value ?? NaN;
      return {
        badFailed: pick("prometheus_remote_storage_samples_failed_total", "bad"),
        badPending: pick("prometheus_remote_storage_samples_pending", "bad"),
        promSent: pick("prometheus_remote_storage_samples_total", "prom"),
        vmSent: pick("prometheus_remote_storage_samples_total", "vm"),
        promFailed: pick("prometheus_remote_storage_samples_failed_total", "prom"),
      };
    };
    const before = await metrics();
    await Bun.sleep(2500);
    const after = await metrics();
    expect(badRequests).toBeGreaterThan(0);
    expect(after.badFailed).toBeGreaterThan(before.badFailed);
    expect(after.promSent).toBeGreaterThan(before.promSent);
    expect(after.vmSent).toBeGreaterThan(before.vmSent);
    expect(after.promFailed).toBe(0);
    // Refused batches are not kept: at most the collection being sent is pending.
    expect(after.badPending).toBeLessThan(after.promSent);
    // Logged once, not once per batch.
    expect(agent.output().match(/remote write refused/g)?.length).toBe(1);
  });

  test("the queues' state is on the node role's /remote-write page", async () => {
    const html = await (await fetch(`${agent.urls.node}/remote-write`)).text();
    for (const name of ["prom", "vm", "bad"]) expect(html).toContain(`<td>${name}</td>`);
    expect(html).toContain("HTTP 400: out-of-order sample");
    const landing = await (await fetch(`${agent.urls.push}/`)).text();
    expect(landing).not.toContain("/remote-write");
  });
});
