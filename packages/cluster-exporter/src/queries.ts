/** The three PromQL queries the original Cluster Exporter sends, with the configured irate() window. */
import { formatDuration } from "@agent/core";

export interface ClusterQueries {
  metadata: string;
  read: string;
  write: string;
}

/** A PromQL range duration: whole seconds as `1m30s`, anything finer in milliseconds. */
function promDuration(seconds: number): string {
  return Number.isInteger(seconds) ? formatDuration(seconds) : `${Math.round(seconds * 1000)}ms`;
}

export function clusterQueries(rangeSeconds: number): ClusterQueries {
  const range = promDuration(rangeSeconds);
  return {
    metadata: `round(sum by(target,jobid)(irate(lustre_job_stats_total[${range}])>=1))`,
    read: `sum by(jobid)(irate(lustre_job_read_bytes_total[${range}])!=0)`,
    write: `sum by(jobid)(irate(lustre_job_write_bytes_total[${range}])!=0)`,
  };
}
