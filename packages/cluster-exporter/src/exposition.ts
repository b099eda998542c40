/** The cluster role's families, named and labelled as the original Cluster Exporter's. */
import type { MetricSet } from "@agent/core";
import type { ScrapeOutcome, StagedCollector } from "./collector.ts";
import { STAGES } from "./stages.ts";
import type { LabelledSums } from "./sums.ts";

const SCRAPE_OK = "cluster_exporter_scrape_ok";
const SCRAPE_OK_HELP = "1 if every stage of the last scrape succeeded, 0 if one failed or the scrape was skipped.";

/** What a scrape that found another one running answers. */
export function addSkipped(out: MetricSet): void {
  out.gauge(SCRAPE_OK, SCRAPE_OK_HELP, 0);
}

function addSums(out: MetricSet, name: string, help: string, sums: LabelledSums): void {
  if (sums.size === 0) return;
  const family = out.family(name, "gauge", help);
  const names = sums.labelNames;
  for (const { values, sum } of sums.sorted()) {
    const labels: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) labels[names[i]!] = values[i]!;
    family.add(sum, labels);
  }
}

export function addOutcome(out: MetricSet, outcome: ScrapeOutcome, collector: StagedCollector): void {
  out.gauge(SCRAPE_OK, SCRAPE_OK_HELP, outcome.ok ? 1 : 0);
  const seconds = out.family(
    "cluster_exporter_stage_execution_seconds",
    "gauge",
    "Seconds the last scrape spent in each stage (queries to Prometheus are counted in their build stage).",
  );
  const errors = out.family(
    "cluster_exporter_stage_errors_total",
    "counter",
    "Scrapes in which this stage failed; the log names the reason.",
  );
  const skipped = out.family(
    "cluster_exporter_skipped_records_total",
    "counter",
    "Records a stage could not use: malformed squeue lines, job ids of no known form, unusable query samples.",
  );
  for (const name of STAGES) {
    seconds.add(outcome.stages[name].seconds, { name });
    errors.add(collector.errorsTotal[name], { name });
    skipped.add(collector.skippedTotal[name], { name });
  }
  const { jobs, procs } = outcome;
  addSums(out, "cluster_job_read_throughput_bytes", "Lustre read throughput of running SLURM jobs per account and user, in bytes per second.", jobs.read);
  addSums(out, "cluster_job_write_throughput_bytes", "Lustre write throughput of running SLURM jobs per account and user, in bytes per second.", jobs.write);
  addSums(out, "cluster_job_metadata_operations", "Lustre metadata operations per second of running SLURM jobs per account and user on each MDT.", jobs.metadata);
  addSums(out, "cluster_proc_read_throughput_bytes", "Lustre read throughput of processes outside SLURM per process name, user and group, in bytes per second.", procs.read);
  addSums(out, "cluster_proc_write_throughput_bytes", "Lustre write throughput of processes outside SLURM per process name, user and group, in bytes per second.", procs.write);
  addSums(out, "cluster_proc_metadata_operations", "Lustre metadata operations per second of processes outside SLURM per process name, user and group on each MDT.", procs.metadata);
}
