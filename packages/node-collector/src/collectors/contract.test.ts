/**
 * What every collector promises, checked once over all of them: over the fixture trees it prints its golden
 * file, promtool finds nothing wrong in it but node_exporter's own names, and a host without its source gets
 * what node_exporter gives (nothing, or no data). A collector's own test file covers only what is its own.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { NoDataError } from "../collector.ts";
import { collectText, expectGolden, promtoolProblems, writeBtrfsDataProfiles } from "../testing/golden.ts";
import { allCollectors } from "./all.ts";

/** Collectors whose golden file needs more than the fixture trees (a server, a bus, a config); their own test writes it. */
const GOLDEN_ELSEWHERE: Record<string, string> = {
  cpu: "fixture /proc/stat is read under --collector.cpu.info",
  ethtool: "needs a network namespace with veth devices",
  filesystem: "statfs is answered by the test, not the fixture mounts",
  gpu: "NVML and nvidia-smi are replayed by the test",
  logind: "needs a D-Bus stand-in",
  lustre: "two goldens, one per Lustre version",
  netclass: "read with the bonding fixture's devices left out (--collector.netclass.ignored-devices)",
  network_route: "needs a network namespace",
  ntp: "needs an NTP stand-in",
  perf: "counts this host's events",
  qdisc: "needs a network namespace",
  rapl: "read under --collector.rapl.enable-zone-label",
  runit: "needs --collector.runit.servicedir",
  supervisord: "needs a supervisord",
  sysctl: "needs --collector.sysctl.include",
  systemd: "a real systemd, whose units are the host's; its test compares with systemctl",
  textfile: "needs --collector.textfile.directory",
  time: "prints the time",
  timex: "prints this host's clock state",
  wifi: "needs a netlink stand-in",
};

/** node_exporter's own names that promtool's lint dislikes; kept for compatibility. */
const KEPT_NAMES: Record<string, RegExp> = {
  entropy: /use base unit "bytes" instead of "bits"/,
  meminfo: /should be written in 'snake_case'/,
  meminfo_numa: /should be written in 'snake_case'/,
  netstat: /should be written in 'snake_case'/,
};

/** Collectors that, as in node_exporter, say "no data" (success 0, logged at debug) when their source is absent. */
const NO_DATA = ["bonding", "conntrack", "dmi", "fibrechannel", "hwmon", "infiniband", "ipvs", "mdadm", "netclass", "nfs", "nfsd", "nvme", "os", "powersupplyclass", "pressure", "rapl", "schedstat", "tapestats", "udp_queues", "watchdog", "zfs"];
/** Collectors that, as in node_exporter, fail naming the missing source. */
const FAILS = ["buddyinfo", "cgroups", "cpu", "cpufreq", "diskstats", "drbd", "entropy", "ethtool", "filefd", "filesystem", "interrupts", "ksmd", "loadavg", "meminfo", "mountstats", "netstat", "processes", "slabinfo", "softirqs", "softnet", "stat", "vmstat", "xfrm", "zoneinfo"];
/** Collectors whose source is not under --path.*: their own tests cover a host without it. */
const NOT_UNDER_PATHS: Record<string, string> = {
  gpu: "NVML or nvidia-smi",
  logind: "D-Bus",
  network_route: "rtnetlink",
  ntp: "an NTP server",
  perf: "perf_event_open",
  qdisc: "rtnetlink",
  selinux: "reports node_selinux_enabled 0, as node_exporter does",
  supervisord: "an XML-RPC server",
  systemd: "D-Bus",
  textfile: "--collector.textfile.directory",
  time: "the clock",
  timex: "adjtimex(2)",
  wifi: "nl80211",
};
const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent", udevData: "/nonexistent" };

beforeAll(writeBtrfsDataProfiles);

describe.each(allCollectors.map((c) => [c.name, c] as const))("collector %s", (name, c) => {
  test.skipIf(name in GOLDEN_ELSEWHERE)("prints its golden file over the fixture trees, promtool-clean", async () => {
    const text = await collectText(c);
    expectGolden(name, text);
    expect(text).not.toBe("");
    const kept = KEPT_NAMES[name];
    expect(promtoolProblems(text).filter((p) => !kept?.test(p))).toEqual([]);
  });

  test.skipIf(name in NOT_UNDER_PATHS)("a host without its source gets what node_exporter gives", async () => {
    const scrape = collectText(c, { paths: NOWHERE });
    if (NO_DATA.includes(name)) await expect(scrape).rejects.toThrow(NoDataError);
    else if (FAILS.includes(name)) await expect(scrape).rejects.toThrow("/nonexistent");
    else expect(await scrape).toBe("");
  });
});

test("every file that defines a collector is listed in collectors/index.ts, under its file's name", () => {
  const defining = readdirSync(import.meta.dir).filter(
    (f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && readFileSync(join(import.meta.dir, f), "utf8").includes("defineCollector("),
  );
  expect(allCollectors.map((c) => `${c.name}.ts`)).toEqual(defining.sort());
});
