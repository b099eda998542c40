// Every flag node_exporter 1.8.2 registers on Linux (kingpin.Flag calls in collector/*.go and node_exporter.go,
// one --collector.<name> per registered collector, 73, those registered under a constant's name included, and exporter-toolkit's and promlog's web and log flags), given
// to the compiled agent: each name is accepted, and every valued flag together with a sample value starts a node
// role that serves. What --web.systemd-socket, --web.listen-address and --web.config.file do is tested in
// test/frame and with the TLS tests.
import { afterAll, describe, expect, test } from "bun:test";
import { agentBinary, startAgent, type RunningAgent } from "../harness/index.ts";

const COLLECTORS = `
  arp bcache bonding btrfs buddyinfo cgroups conntrack cpu cpu_vulnerabilities cpufreq diskstats dmi drbd drm edac
  entropy ethtool fibrechannel filefd filesystem hwmon infiniband interrupts ipvs ksmd lnstat loadavg logind mdadm
  meminfo meminfo_numa mountstats netclass netdev netstat network_route nfs nfsd ntp nvme os perf powersupplyclass
  pressure processes qdisc rapl runit schedstat selinux slabinfo sockstat softirqs softnet stat supervisord sysctl
  systemd tapestats tcpstat textfile thermal_zone time timex udp_queues uname vmstat watchdog wifi xfrm xfs zfs
  zoneinfo
`.trim().split(/\s+/);

const BOOLEANS = `
  collector.arp.netlink collector.bcache.priorityStats collector.cpu.guest collector.cpu.info
  collector.disable-defaults collector.netclass.ignore-invalid-speed collector.netclass.netlink
  collector.netclass_rtnl.with-stats collector.netdev.address-info collector.netdev.enable-detailed-metrics
  collector.netdev.netlink collector.ntp.server-is-local collector.perf.disable-cache-profilers
  collector.perf.disable-hardware-profilers collector.perf.disable-software-profilers
  collector.rapl.enable-zone-label collector.stat.softirq collector.systemd.enable-restarts-metrics
  collector.systemd.enable-start-time-metrics collector.systemd.enable-task-metrics collector.systemd.private
  web.disable-exporter-metrics web.systemd-socket
`.trim().split(/\s+/);

/** name -> a sample value of the kind node_exporter takes. */
const VALUED: Record<string, string> = {
  "collector.arp.device-exclude": "x",
  "collector.arp.device-include": "x",
  "collector.cpu.info.bugs-include": "x",
  "collector.cpu.info.flags-include": "x",
  "collector.diskstats.device-exclude": "x",
  "collector.diskstats.device-include": "x",
  "collector.diskstats.ignored-devices": "x",
  "collector.ethtool.device-exclude": "x",
  "collector.ethtool.device-include": "x",
  "collector.ethtool.metrics-include": "x",
  "collector.filesystem.fs-types-exclude": "x",
  "collector.filesystem.ignored-fs-types": "x",
  "collector.filesystem.ignored-mount-points": "x",
  "collector.filesystem.mount-points-exclude": "x",
  "collector.filesystem.mount-timeout": "5s",
  "collector.filesystem.stat-workers": "4",
  "collector.hwmon.chip-exclude": "x",
  "collector.hwmon.chip-include": "x",
  "collector.ipvs.backend-labels": "local_address,local_port",
  "collector.netclass.ignored-devices": "x",
  "collector.netdev.device-blacklist": "x",
  "collector.netdev.device-exclude": "x",
  "collector.netdev.device-include": "x",
  "collector.netdev.device-whitelist": "x",
  "collector.netstat.fields": "x",
  "collector.ntp.ip-ttl": "1",
  "collector.ntp.local-offset-tolerance": "1ms",
  "collector.ntp.max-distance": "3s",
  "collector.ntp.protocol-version": "4",
  "collector.ntp.server": "127.0.0.1",
  "collector.ntp.server-port": "123",
  "collector.perf.cache-profilers": "L1-dcache-read-hits",
  "collector.perf.cpus": "0",
  "collector.perf.hardware-profilers": "CpuCycles",
  "collector.perf.software-profilers": "ContextSwitch",
  "collector.perf.tracepoint": "sched:sched_switch",
  "collector.powersupply.ignored-supplies": "x",
  "collector.qdisc.device-exclude": "x",
  "collector.qdisc.device-include": "x",
  "collector.qdisc.fixtures": "x",
  "collector.qdisk.device-exclude": "x",
  "collector.qdisk.device-include": "x",
  "collector.runit.servicedir": "/etc/service",
  "collector.supervisord.url": "http://localhost:9001/RPC2",
  "collector.sysctl.include": "vm.swappiness",
  "collector.sysctl.include-info": "kernel.hostname",
  "collector.systemd.unit-blacklist": "x",
  "collector.systemd.unit-exclude": "x",
  "collector.systemd.unit-include": "x",
  "collector.systemd.unit-whitelist": "x",
  "collector.tapestats.ignored-devices": "x",
  "collector.textfile.directory": "/nonexistent",
  "collector.vmstat.fields": "x",
  "collector.wifi.fixtures": "x",
  "log.format": "logfmt",
  "log.level": "info",
  "path.procfs": "/proc",
  "path.rootfs": "/",
  "path.sysfs": "/sys",
  "path.udev.data": "/run/udev/data",
  "runtime.gomaxprocs": "1",
  "web.config.file": "",
  "web.listen-address": "127.0.0.1:0",
  "web.max-requests": "40",
  "web.telemetry-path": "/metrics",
};

const started: RunningAgent[] = [];
afterAll(async () => {
  for (const a of started.splice(0)) await a.stop();
});

describe("node_exporter 1.8.2's whole command line", () => {
  test(`all ${COLLECTORS.length} collector toggles, ${BOOLEANS.length} booleans (both forms) and ${Object.keys(VALUED).length} valued flags are accepted`, () => {
    expect(COLLECTORS.length + BOOLEANS.length + Object.keys(VALUED).length).toBe(161);
    const words = [
      ...COLLECTORS.flatMap((c) => [`--collector.${c}`, `--no-collector.${c}`]),
      ...BOOLEANS.flatMap((b) => [`--${b}`, `--no-${b}`]),
      ...Object.entries(VALUED).map(([name, value]) => `--${name}=${value}`),
    ];
    // --help parses every word (an unknown one exits 2 naming it) and then only prints the usage
    const r = Bun.spawnSync([agentBinary(), "--roles", "node", ...words, "--help"], { stdout: "pipe", stderr: "pipe" });
    expect({ code: r.exitCode, stderr: r.stderr.toString() }).toEqual({ code: 0, stderr: "" });
  });

  test("every valued flag at once, with a value node_exporter would take, starts a node role that serves", async () => {
    // the harness gives the role its own address
    const args = Object.entries(VALUED).filter(([name]) => name !== "web.listen-address").map(([name, value]) => `--${name}=${value}`);
    const agent = await startAgent({ roles: ["node"], args });
    started.push(agent);
    const res = await fetch(`${agent.urls.node}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("node_scrape_collector_success");
  }, 30000);
});
