/**
 * node_exporter's command line: its flags are the node role's own. The agent has every collector and flag of
 * 1.8.2; a collector flag it does not know (an option another node_exporter version has) is set aside and
 * logged, so that a unit naming one still starts.
 */

/** node_exporter 1.8's collectors. */
const NODE_EXPORTER_COLLECTORS = new Set(
  ("arp bcache bonding btrfs buddyinfo cgroups conntrack cpu cpufreq diskstats dmi drbd edac entropy ethtool fibrechannel " +
    "filefd filesystem hwmon infiniband interrupts ipvs ksmd lnstat loadavg logind mdadm meminfo meminfo_numa mountstats " +
    "netclass netdev netstat network_route nfs nfsd ntp nvme os perf powersupplyclass pressure processes qdisc rapl runit " +
    "schedstat selinux slabinfo sockstat softirqs softnet stat supervisord sysctl systemd tapestats tcpstat textfile " +
    "thermal_zone time timex udp_queues uname vmstat watchdog wifi xfs zfs zoneinfo").split(" "),
);

/**
 * Flags of node_exporter's collectors that the agent does not know (`--collector.ntp.some-option=...`), split off
 * so that a unit naming one still starts; the rest as given.
 */
export function splitUnknownCollectorFlags(argv: readonly string[], known: (flag: string) => boolean): { args: string[]; ignored: string[] } {
  const args: string[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const m = /^--(no-)?(collector\.([a-z_0-9]+)[^=]*)(=.*)?$/s.exec(word);
    if (!m || known(m[2]!) || !NODE_EXPORTER_COLLECTORS.has(m[3]!)) {
      args.push(word);
      continue;
    }
    ignored.push(word);
    // `--collector.ntp.server host`: the value is the next word (a collector's own switch takes none).
    const isSwitch = m[2] === `collector.${m[3]}`;
    if (!isSwitch && m[4] === undefined && i + 1 < argv.length) ignored.push(argv[++i]!);
  }
  return { args, ignored };
}
