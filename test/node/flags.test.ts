// node_exporter's command line on the compiled agent: collector toggles, --collector.disable-defaults,
// --path.* pointing at the fixture trees (golden output), per-collector flags, and bad values exiting 2.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expectNodeFlagRefused, fixtureGolden, nodeScraper, startAgent, type RunningAgent } from "../harness/index.ts";
import { FIXTURES } from "../../packages/node-collector/src/testing/golden.ts";

const PATHS = [`--path.procfs=${FIXTURES}/proc`, `--path.sysfs=${FIXTURES}/sys`, `--path.rootfs=${FIXTURES}`, `--path.udev.data=${FIXTURES}/udev/db`];

const { scrape, stopAll } = nodeScraper();
const golden = fixtureGolden;
/** Agents a test scrapes more than once. */
const started: RunningAgent[] = [];

/** A unix socket that accepts a D-Bus client and never answers it: a bus that hangs. */
function silentBus(): { address: string; stop(): void } {
  const dir = mkdtempSync(join(tmpdir(), "silent-bus-"));
  const server = Bun.listen({ unix: join(dir, "bus"), socket: { data() {} } });
  return {
    address: `unix:path=${join(dir, "bus")}`,
    stop() {
      server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

afterAll(async () => {
  await stopAll();
  for (const a of started.splice(0)) await a.stop();
});

describe("node role flags in the compiled agent", () => {
  test("--path.procfs/--path.sysfs/--path.udev.data: the served families are the fixture goldens", async () => {
    const text = await scrape(["--collector.disable-defaults", "--collector.meminfo", "--collector.diskstats", "--collector.netclass", ...PATHS, "--collector.netclass.ignored-devices=^(bond|int|dmz)"]);
    for (const name of ["meminfo", "diskstats", "netclass"]) expect(text).toContain(golden(name));
    expect(text).toContain(`node_scrape_collector_success{collector="meminfo"} 1\n`);
    expect(text).not.toContain(`collector="cpu"`);
    expect(text).not.toContain("node_cpu_seconds_total");
  }, 30000);

  test("collect[] and exclude[] filter one scrape's collectors; an unknown or disabled name is a 400 with the reason", async () => {
    const agent = await startAgent({ roles: ["node"], args: [...PATHS] });
    started.push(agent);
    const get = (q: string) => fetch(`${agent.urls.node}/metrics?${q}`);
    const only = await (await get("collect[]=meminfo&collect[]=loadavg")).text();
    expect(only).toContain(golden("meminfo"));
    expect(only).toContain(`node_scrape_collector_success{collector="loadavg"} 1\n`);
    expect(only).not.toContain(`collector="cpu"`);
    expect(only).toContain("process_resident_memory_bytes ");
    const without = await (await get("exclude[]=cpu")).text();
    expect(without).not.toContain("node_cpu_seconds_total");
    expect(without).toContain(golden("meminfo"));
    for (const [q, message] of [
      ["collect[]=nonesuch", "Couldn't create filtered metrics handler: missing collector: nonesuch\n"],
      ["collect[]=processes", "Couldn't create filtered metrics handler: disabled collector: processes\n"],
      ["collect[]=cpu&exclude[]=meminfo", "Combined collect and exclude queries are not allowed.\n"],
    ]) {
      const res = await get(q!);
      expect([q, res.status, await res.text()]).toEqual([q, 400, message]);
    }
    // A refused query changed nothing: the next full scrape is whole.
    expect(await (await get("")).text()).toContain("node_cpu_seconds_total");
  }, 30000);

  test("--no-collector.<name> turns a default collector off; --collector.<name> turns an optional one on", async () => {
    const text = await scrape(["--no-collector.cpu", "--collector.processes", ...PATHS]);
    expect(text).not.toContain("node_cpu_seconds_total");
    expect(text).toContain("node_processes_pids 2\n");
    expect(text).toContain("node_memory_MemTotal_bytes ");
    expect(text).toContain(`node_scrape_collector_success{collector="processes"} 1\n`);
  }, 30000);

  test("--collector.cpu.info adds node_cpu_info; --no-collector.cpu.guest drops guest time", async () => {
    const text = await scrape(["--collector.disable-defaults", "--collector.cpu", "--collector.cpu.info", "--no-collector.cpu.guest", ...PATHS]);
    expect(text).toMatch(/^node_cpu_info\{[^}]*cpu="0"[^}]*\} 1$/m);
    expect(text).not.toContain("node_cpu_guest_seconds_total");
  }, 30000);

  test("--collector.timeout: a collector that hangs (systemd on a bus that never answers) is abandoned with success 0, one log line, and the scrape still answers", async () => {
    const bus = silentBus();
    try {
      const agent = await startAgent({ roles: ["node"], args: ["--collector.systemd", "--collector.timeout=1s"], env: { DBUS_SYSTEM_BUS_ADDRESS: bus.address } });
      started.push(agent);
      const begun = performance.now();
      const text = await (await fetch(`${agent.urls.node}/metrics`)).text();
      expect(performance.now() - begun).toBeLessThan(15000);
      expect(text).toContain(`node_scrape_collector_success{collector="systemd"} 0\n`);
      expect(text).toContain(`node_scrape_collector_success{collector="cpu"} 1\n`);
      expect(text).toContain("node_cpu_seconds_total{");
      expect(Number(/^node_scrape_collector_duration_seconds\{collector="systemd"\} (\S+)$/m.exec(text)![1])).toBeGreaterThanOrEqual(0.9);
      expect(agent.output().split("\n").filter((l) => l.includes("collector=systemd"))).toEqual([expect.stringContaining('msg="collector failed"')]);
    } finally {
      bus.stop();
    }
  }, 30000);

  test("--web.max-requests: a scrape beyond the limit is answered 503 as node_exporter's handler does; 0 lifts it", async () => {
    const bus = silentBus();
    const slowScrapes = ["--collector.disable-defaults", "--collector.systemd", "--collector.timeout=2s"];
    const env = { DBUS_SYSTEM_BUS_ADDRESS: bus.address };
    try {
      const limited = await startAgent({ roles: ["node"], args: [...slowScrapes, "--web.max-requests=1"], env });
      started.push(limited);
      const first = fetch(`${limited.urls.node}/metrics`);
      await Bun.sleep(300);
      const refused = await fetch(`${limited.urls.node}/metrics`);
      expect([refused.status, await refused.text()]).toEqual([503, "Limit of concurrent requests reached (1), try again later.\n"]);
      expect((await first).status).toBe(200);
      // the slot is free again once the first scrape answered
      expect((await fetch(`${limited.urls.node}/metrics`)).status).toBe(200);

      const unlimited = await startAgent({ roles: ["node"], args: [...slowScrapes, "--web.max-requests=0"], env });
      started.push(unlimited);
      const both = await Promise.all([0, 1, 2].map(() => fetch(`${unlimited.urls.node}/metrics`).then((r) => r.status)));
      expect(both).toEqual([200, 200, 200]);
    } finally {
      bus.stop();
    }
  }, 30000);

  test("a bad collector flag value or an unknown collector exits 2 naming the flag; a near miss says what was meant", () => {
    for (const [arg, says] of [
      ["--collector.diskstats.device-exclude=(", "--collector.diskstats.device-exclude"],
      ["--collector.timeout=soon", "--collector.timeout"],
      ["--collector.nosuch", "--collector.nosuch"],
      // a typo of a node_exporter flag names the flag that was meant
      ["--collector.mountstat", "unknown flag --collector.mountstat (did you mean --collector.mountstats?)"],
      ["--web.listen-adress=127.0.0.1:0", "(did you mean --web.listen-address?)"],
      ["--no-colector.wifi", "(did you mean --no-collector.wifi?)"],
    ] as const) {
      expectNodeFlagRefused(arg, says);
    }
  });
});
