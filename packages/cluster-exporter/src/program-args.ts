/**
 * The Cluster Exporter's command line: its single-dash Go flags translated into the agent's, so that an
 * existing unit's ExecStart keeps working when the agent is linked in under the Cluster Exporter's name.
 */
import { ConfigError } from "@agent/core";

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
