/**
 * The cluster role's families, named, labelled and described as the original Cluster Exporter 1.1.8 writes
 * them (its values are in Go's %g form, as formatValue writes every value), so a diff shows only values.
 */
import type { FamilyBuilder, MetricSet, MetricType } from "@agent/core";
import type { ScrapeOutcome, StagedCollector } from "./collector.ts";
import { STAGES } from "./stages.ts";
import type { LabelledSums } from "./sums.ts";

const SCRAPE_OK = "cluster_exporter_scrape_ok";
const SCRAPE_OK_HELP = "Indicates if the scrape of the exporter was successful or not.";

function family(out: MetricSet, name: string, type: MetricType, help: string): FamilyBuilder {
  return out.family(name, type, help);
}

/** What a scrape that found another one running answers. */
export function addSkipped(out: MetricSet): void {
  family(out, SCRAPE_OK, "gauge", SCRAPE_OK_HELP).add(0);
}

function addSums(out: MetricSet, name: string, help: string, sums: LabelledSums): void {
  if (sums.size === 0) return;
  const f = family(out, name, "gauge", help);
  const names = sums.labelNames;
  for (const { values, sum } of sums.sorted()) {
    const labels: Record<string, string> = {};
    for (let i = 0; i < names.length; i++) labels[names[i]!] = values[i]!;
    f.add(sum, labels);
  }
}

export function addOutcome(out: MetricSet, outcome: ScrapeOutcome, collector: StagedCollector): void {
  family(out, SCRAPE_OK, "gauge", SCRAPE_OK_HELP).add(outcome.ok ? 1 : 0);
  const seconds = family(
    out,
    "cluster_exporter_stage_execution_seconds",
    "gauge",
    "Execution duration in seconds spend in a specific exporter stage.",
  );
  const errors = family(
    out,
    "cluster_exporter_stage_errors_total",
    "counter",
    "Scrapes in which this stage failed; the log names the reason.",
  );
  const skipped = family(
    out,
    "cluster_exporter_skipped_records_total",
    "counter",
    "Records a stage could not use: malformed squeue lines, job ids of no known form, unusable query samples, processes whose uid or gid has no name.",
  );
  for (const name of STAGES) {
    seconds.add(outcome.stages[name].seconds, { name });
    errors.add(collector.errorsTotal[name], { name });
    skipped.add(collector.skippedTotal[name], { name });
  }
  const { jobs, procs } = outcome;
  addSums(out, "cluster_job_read_throughput_bytes", "Total IO read throughput of all jobs per account and user in bytes per second.", jobs.read);
  addSums(out, "cluster_job_write_throughput_bytes", "Total IO write throughput of all jobs per account and user in bytes per second.", jobs.write);
  addSums(out, "cluster_job_metadata_operations", "Total metadata operations of all jobs per account and user on a target.", jobs.metadata);
  addSums(out, "cluster_proc_read_throughput_bytes", "Total IO read throughput of process names per group and user in bytes per second.", procs.read);
  addSums(out, "cluster_proc_write_throughput_bytes", "Total IO write throughput of process names per group and user in bytes per second.", procs.write);
  addSums(out, "cluster_proc_metadata_operations", "Total metadata operations of process names per group and user on a MDT.", procs.metadata);
}
