// The compiled agent's node role, pointed at the collector fixture trees, serves exactly the golden output of
// the arp ... zfs collectors, honours their flags, and rejects a bad per-collector flag with exit 2.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseText, type MetricFamily } from "../../packages/core/src/index.ts";
import { agentBinary, startAgent, type RunningAgent } from "../harness/index.ts";
import { FIXTURES, writeBtrfsDataProfiles } from "../../packages/node-collector/src/testing/golden.ts";

const COLLECTORS = [
  "arp", "bcache", "bonding", "btrfs", "dmi", "edac", "fibrechannel", "infiniband", "ipvs", "mdadm",
  "nfs", "nfsd", "nvme", "powersupplyclass", "rapl", "selinux", "tapestats", "watchdog", "xfs", "zfs",
];
const PATHS = [`--path.procfs=${FIXTURES}/proc`, `--path.sysfs=${FIXTURES}/sys`, `--path.rootfs=${FIXTURES}`];

function byName(text: string): Map<string, MetricFamily> {
  return new Map(parseText(text).map((f) => [f.name, f]));
}

/** Samples as sorted `name{labels} value` lines: order-free comparison. */
function lines(f: MetricFamily): string[] {
  return f.samples
    .map((s) => `${s.name}{${Object.keys(s.labels).sort().map((k) => `${k}=${JSON.stringify(s.labels[k])}`).join(",")}} ${s.value}`)
    .sort();
}

async function metrics(agent: RunningAgent): Promise<string> {
  const res = await fetch(`${agent.urls.node}/metrics`);
  expect(res.status).toBe(200);
  return res.text();
}

describe("tail collectors in the compiled agent", () => {
  let agent: RunningAgent;
  let served: Map<string, MetricFamily>;

  beforeAll(async () => {
    writeBtrfsDataProfiles();
    agent = await startAgent({ roles: ["node"], args: ["--collector.disable-defaults", ...COLLECTORS.map((c) => `--collector.${c}`), ...PATHS] });
    served = byName(await metrics(agent));
  }, 30000);

  afterAll(async () => {
    await agent?.stop();
  });

  test("every collector succeeds", () => {
    const success = served.get("node_scrape_collector_success")!;
    const ok = Object.fromEntries(success.samples.map((s) => [s.labels.collector, s.value]));
    expect(ok).toEqual(Object.fromEntries(COLLECTORS.map((c) => [c, 1])));
  });

  for (const c of COLLECTORS) {
    test(`${c} serves its golden families`, () => {
      // The golden rapl output shows the sysfs path as /sys; the agent reports the one it was given.
      const golden = readFileSync(join(FIXTURES, "golden", `${c}.prom`), "utf8").replaceAll('path="/sys/', `path="${FIXTURES}/sys/`);
      for (const [name, want] of byName(golden)) {
        const got = served.get(name);
        expect({ name, type: got?.type, help: got?.help }).toEqual({ name, type: want.type, help: want.help });
        expect(lines(got!)).toEqual(lines(want));
      }
    });
  }
});

describe("tail collector flags in the compiled agent", () => {
  test("per-collector flags and --no-collector.<name> take effect", async () => {
    const agent = await startAgent({
      roles: ["node"],
      args: [
        ...PATHS,
        "--collector.arp.device-exclude=^docker",
        "--collector.bcache.priorityStats",
        "--collector.rapl.enable-zone-label",
        "--collector.ipvs.backend-labels=proto",
        "--collector.powersupply.ignored-supplies=^BAT",
        "--no-collector.zfs",
      ],
    });
    try {
      const text = await metrics(agent);
      expect(text).toContain('node_arp_entries{device="eth0"} 3\n');
      expect(text).not.toContain('device="docker0"');
      expect(text).toContain("node_bcache_priority_stats_unused_percent{");
      expect(text).toContain('rapl_zone="package"');
      expect(text).not.toContain("node_rapl_package_joules_total");
      expect(text).toContain('node_ipvs_backend_connections_active{proto="TCP"} 769\n');
      expect(text).not.toContain('power_supply="BAT0"');
      expect(text).toContain('power_supply="AC"');
      expect(text).not.toContain("node_zfs_");
      expect(text).not.toContain('collector="zfs"');
    } finally {
      await agent.stop();
    }
  }, 30000);

  test("an unknown IPVS backend label is a command-line error", () => {
    const r = Bun.spawnSync([agentBinary(), "--collector.ipvs.backend-labels=local_address,bogus"], { stdout: "pipe", stderr: "pipe" });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.toString()).toContain("--collector.ipvs.backend-labels: unknown IPVS backend labels: bogus");
  });
});
