import { flag } from "@agent/core";

export const clusterFlags = {
  prometheusUrl: flag.string(
    "cluster.prometheus-url",
    "",
    "The Prometheus server holding the Lustre job metrics, e.g. http://prometheus:9090 (required for the cluster role).",
  ),
  timeout: flag.duration("cluster.timeout", 15, "Timeout of each query to the Prometheus server."),
  timeRange: flag.duration("cluster.time-range", 60, "Range of the irate() window in the queries."),
  commandTimeout: flag.duration(
    "cluster.command-timeout",
    10,
    "A squeue or getent that has not finished after this long is killed and its stage fails.",
  ),
  cacheTtl: flag.duration(
    "cluster.cache-ttl",
    10,
    "How long a squeue answer is reused before squeue is asked again.",
  ),
  identityCacheTtl: flag.duration(
    "cluster.identity-cache-ttl",
    300,
    "How long a user or group name resolved through getent (or its absence) is reused.",
  ),
  numericNames: flag.bool(
    "cluster.numeric-names",
    false,
    "Label a process whose uid or primary gid getent does not know (or cannot answer for) with the number, instead of skipping it as the original Cluster Exporter does.",
  ),
  squeuePath: flag.string("cluster.squeue-path", "squeue", "The squeue program (looked up in PATH unless a path)."),
  getentPath: flag.string("cluster.getent-path", "getent", "The getent program (looked up in PATH unless a path)."),
} as const;

export type ClusterFlags = typeof clusterFlags;
