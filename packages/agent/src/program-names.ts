/**
 * One binary, three names. Called through a link named after the program it replaces, the agent runs that
 * role alone by default and reads that program's command line, so an existing unit's ExecStart keeps
 * working after one `ln -s`. node_exporter's and Pushgateway's flags are the agent's own (global or role
 * flags); the Cluster Exporter's single-dash Go flags are translated here.
 */
import { basename } from "node:path";
import { ConfigError } from "@agent/core";

const ROLE_BY_PROGRAM: Readonly<Record<string, string>> = {
  node_exporter: "node",
  "prometheus-node-exporter": "node",
  pushgateway: "push",
  "prometheus-pushgateway": "push",
  "cluster-exporter": "cluster",
  cluster_exporter: "cluster",
  "prometheus-cluster-exporter": "cluster",
};

/** The role a program name stands for, or undefined for any other name (`agent`). */
export function roleOfProgram(argv0: string): string | undefined {
  return ROLE_BY_PROGRAM[basename(argv0)];
}

const CLUSTER_USAGE = `Usage of cluster-exporter (the agent's cluster role):
  -promserver URL   Prometheus server holding the Lustre job metrics (required)
  -port PORT        port to listen on (default 9846)
  -timeout SECONDS  timeout of each query (default 15)
  -timerange RANGE  irate() window, e.g. 1m (default 1m)
  -log LEVEL        ERROR, INFO, DEBUG or TRACE
  -version          print the version
and every --flag of \`agent --help\`.`;

/** The Cluster Exporter's log levels (logrus names) in the agent's terms; TRACE has no finer level here. */
const CLUSTER_LOG_LEVELS: Readonly<Record<string, string>> = { ERROR: "error", INFO: "info", DEBUG: "debug", TRACE: "debug" };

/** Each Go flag -> the agent word it becomes, given its value. */
const CLUSTER_FLAGS: Readonly<Record<string, (value: string) => string>> = {
  promserver: (v) => `--cluster.prometheus-url=${v}`,
  port: (v) => {
    if (!/^\d{1,5}$/.test(v)) throw new ConfigError(`-port: "${v}" is not a port number\n${CLUSTER_USAGE}`);
    return `--cluster.listen-address=:${v}`;
  },
  timeout: (v) => {
    if (!/^\d+$/.test(v)) throw new ConfigError(`-timeout: "${v}" is not a whole number of seconds\n${CLUSTER_USAGE}`);
    return `--cluster.timeout=${v}s`;
  },
  timerange: (v) => `--cluster.time-range=${v}`,
  log: (v) => {
    const level = CLUSTER_LOG_LEVELS[v];
    if (!level) throw new ConfigError(`-log: "${v}" is not one of ERROR, INFO, DEBUG, TRACE\n${CLUSTER_USAGE}`);
    return `--log.level=${level}`;
  },
};

/**
 * The Cluster Exporter's command line (Go's flag package: `-name value`, `-name=value`, one or two dashes)
 * as agent flags. Words that are none of its flags pass through unchanged, so agent flags work too.
 */
export function clusterExporterArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    const m = /^--?([a-z]+)(?:=(.*))?$/s.exec(word);
    const name = m?.[1];
    if ((name === "version" || name === "help" || name === "h") && m?.[2] === undefined) {
      out.push(name === "version" ? "--version" : "--help");
      continue;
    }
    const translate = name === undefined ? undefined : CLUSTER_FLAGS[name];
    if (!translate) {
      out.push(word);
      continue;
    }
    let value = m![2];
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new ConfigError(`-${name} needs a value\n${CLUSTER_USAGE}`);
      value = argv[++i]!;
    }
    out.push(translate(value));
  }
  return out;
}

/** node_exporter 1.8's collectors, those the agent lacks included (off by default there, most of them). */
const NODE_EXPORTER_COLLECTORS = new Set(
  ("arp bcache bonding btrfs buddyinfo cgroups conntrack cpu cpufreq diskstats dmi drbd edac entropy ethtool fibrechannel " +
    "filefd filesystem hwmon infiniband interrupts ipvs ksmd lnstat loadavg logind mdadm meminfo meminfo_numa mountstats " +
    "netclass netdev netstat network_route nfs nfsd ntp nvme os perf powersupplyclass pressure processes qdisc rapl runit " +
    "schedstat selinux slabinfo sockstat softirqs softnet stat supervisord sysctl systemd tapestats tcpstat textfile " +
    "thermal_zone time timex udp_queues uname vmstat watchdog wifi xfs zfs zoneinfo").split(" "),
);

/**
 * node_exporter flags for collectors the agent does not have (`--collector.wifi`, `--no-collector.ntp`,
 * `--collector.ntp.server=...`), split off so that a unit naming one still starts; the rest as given.
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

/**
 * The agent command line for a program name, and the words left out because the agent has no such
 * collector. The role itself is not in it: serve() takes it as the default of --roles.
 */
export function argsForProgram(role: string, argv: readonly string[], known: (flag: string) => boolean): { args: string[]; ignored: string[] } {
  if (role === "cluster") return { args: clusterExporterArgs(argv), ignored: [] };
  return role === "node" ? splitUnknownCollectorFlags(argv, known) : { args: [...argv], ignored: [] };
}
