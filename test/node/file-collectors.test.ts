// The file-based collectors that are off by default in node_exporter 1.8.2, on the compiled agent: enabled one
// by one with --collector.<name> against the fixture trees they serve their goldens, each with success 1;
// sysctl's repeatable flags arrive whole; out-of-range ntp flags exit 2.
import { afterAll, describe, expect, test } from "bun:test";
import { expectNodeFlagRefused, fixtureGolden, nodeScraper } from "../harness/index.ts";
import { FIXTURES } from "../../packages/node-collector/src/testing/golden.ts";

const PATHS = [`--path.procfs=${FIXTURES}/proc`, `--path.sysfs=${FIXTURES}/sys`, `--path.rootfs=${FIXTURES}`];
const FILE_COLLECTORS = ["buddyinfo", "cgroups", "cpu_vulnerabilities", "drbd", "drm", "ksmd", "lnstat", "meminfo_numa", "mountstats", "slabinfo", "softirqs", "xfrm", "zoneinfo"];

const { scrape, stopAll } = nodeScraper();
const golden = fixtureGolden;

afterAll(stopAll);

describe("node_exporter's optional file collectors in the compiled agent", () => {
  test("each serves its golden with success 1, and none runs unless asked", async () => {
    const text = await scrape([
      "--collector.disable-defaults",
      ...FILE_COLLECTORS.map((c) => `--collector.${c}`),
      "--collector.runit",
      `--collector.runit.servicedir=${FIXTURES}/runit/service`,
      ...PATHS,
    ]);
    for (const name of [...FILE_COLLECTORS, "runit"]) {
      expect(text).toContain(golden(name));
      expect(text).toContain(`node_scrape_collector_success{collector="${name}"} 1\n`);
    }
    const defaults = await scrape(PATHS);
    for (const name of [...FILE_COLLECTORS, "runit", "sysctl", "supervisord", "ntp"]) expect(defaults).not.toContain(`collector="${name}"`);
  }, 30000);

  test("a collector whose source the host lacks reports success 0, as node_exporter does, and the rest still answer", async () => {
    const text = await scrape(["--collector.disable-defaults", "--collector.drbd", "--collector.buddyinfo", "--collector.cpu_vulnerabilities", "--path.procfs=/nonexistent", `--path.sysfs=${FIXTURES}/sys`]);
    expect(text).toContain(`node_scrape_collector_success{collector="drbd"} 0\n`);
    expect(text).toContain(`node_scrape_collector_success{collector="buddyinfo"} 0\n`);
    expect(text).toContain(`node_scrape_collector_success{collector="cpu_vulnerabilities"} 1\n`);
    expect(text).toContain(golden("cpu_vulnerabilities"));
  }, 30000);

  test("--collector.sysctl.include and --collector.sysctl.include-info repeat, keeping name:key,key whole", async () => {
    const text = await scrape([
      "--collector.disable-defaults",
      "--collector.sysctl",
      "--collector.sysctl.include=vm.swappiness",
      "--collector.sysctl.include=net.ipv4.ip_local_port_range:lower,upper",
      "--collector.sysctl.include=net.ipv4.tcp_rmem",
      "--collector.sysctl.include-info=kernel.core_pattern",
      "--collector.sysctl.include-info=net.ipv4.tcp_available_congestion_control",
      ...PATHS,
    ]);
    expect(text).toContain(golden("sysctl"));
    expect(text).toContain(`node_scrape_collector_success{collector="sysctl"} 1\n`);
  }, 30000);

  test("an ntp protocol version or port out of range exits 2 naming the flag", () => {
    for (const [arg, says] of [
      ["--collector.ntp.protocol-version=5", "--collector.ntp.protocol-version"],
      ["--collector.ntp.server-port=70000", "--collector.ntp.server-port"],
    ] as const) {
      expectNodeFlagRefused(arg, says);
    }
  });
});
