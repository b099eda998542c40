/**
 * Lustre job_stats of the OSS and MDS targets on this host, as the widely used Lustre exporter names them
 * (lustre_job_read_bytes_total, lustre_job_write_bytes_total, lustre_job_stats_total{operation} and the
 * sample and size families, each with {component,jobid,target}), so the cluster role's queries work on them.
 * Reads both layouts: Lustre 2.10 (`unit: reqs`, integer snapshot_time) and 2.15+ (usecs timings, sumsq,
 * hist, start/elapsed times, job ids quoted when they hold special characters).
 */
import { join } from "node:path";
import type { MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listDir, readText } from "../read.ts";

export interface JobStat {
  samples: number;
  /** Only in lines that carry them (bytes and, from 2.15, timings). */
  min?: number;
  max?: number;
  sum?: number;
}

export interface JobEntry {
  jobid: string;
  stats: Map<string, JobStat>;
}

/** `"a \"b\""` -> `a "b"`: Lustre quotes job ids holding spaces, colons or quotes. */
function unquote(text: string): string {
  if (text.length >= 2 && text[0] === '"' && text[text.length - 1] === '"') {
    return text.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return text;
}

/** The unsigned integer after `key` in `line` (from `from` on), or undefined when the key is not there. */
function fieldAt(line: string, key: string, from: number): number | undefined {
  let i = line.indexOf(key, from);
  if (i < 0) return undefined;
  i += key.length;
  while (line.charCodeAt(i) === 32) i++;
  const start = i;
  let value = 0;
  for (let c = line.charCodeAt(i); c >= 48 && c <= 57; c = line.charCodeAt(++i)) value = value * 10 + (c - 48);
  return i > start ? value : undefined;
}

/**
 * job_stats files grow to tens of megabytes on busy servers (one block of 15-30 lines per job), so lines
 * are searched for their few keys instead of being split into fields.
 */
export function parseJobStats(text: string): JobEntry[] {
  const jobs: JobEntry[] = [];
  let current: JobEntry | undefined;
  for (let line of text.split("\n")) {
    const brace = line.indexOf("{");
    if (brace < 0) {
      line = line.trim();
      if (line.startsWith("- job_id:")) {
        current = { jobid: unquote(line.slice(9).trim()), stats: new Map() };
        jobs.push(current);
      }
      continue;
    }
    const colon = line.indexOf(":");
    if (!current || colon < 0 || colon > brace) continue;
    // `hist: { 4K: 112, ... }` comes last; cut it off so its keys cannot be taken for fields.
    const hist = line.indexOf("hist:", brace);
    const body = hist < 0 ? line : line.slice(0, hist);
    const samples = fieldAt(body, "samples:", brace);
    if (samples === undefined) continue;
    current.stats.set(line.slice(0, colon).trim(), {
      samples,
      min: fieldAt(body, " min:", brace),
      max: fieldAt(body, " max:", brace),
      sum: fieldAt(body, " sum:", brace),
    });
  }
  return jobs;
}

/** Byte counters and the per-request timings 2.15 adds beside them; the latter repeat *_samples_total. */
const NOT_OPERATIONS = new Set(["read_bytes", "write_bytes", "read", "write"]);

const SOURCES = [
  { dir: "obdfilter", component: "ost" },
  { dir: "mdt", component: "mdt" },
] as const;

function emit(out: MetricSet, component: string, target: string, jobs: JobEntry[]): void {
  for (const direction of ["read", "write"] as const) {
    const samples = out.family(`lustre_job_${direction}_samples_total`, "counter", `Number of ${direction}s recorded for the job.`);
    const min = out.family(`lustre_job_${direction}_minimum_size_bytes`, "gauge", `Smallest ${direction} of the job, in bytes.`);
    const max = out.family(`lustre_job_${direction}_maximum_size_bytes`, "gauge", `Largest ${direction} of the job, in bytes.`);
    const total = out.family(`lustre_job_${direction}_bytes_total`, "counter", `Bytes the job has ${direction === "read" ? "read" : "written"}.`);
    for (const job of jobs) {
      const s = job.stats.get(`${direction}_bytes`);
      if (!s) continue;
      const labels = { component, jobid: job.jobid, target };
      samples.add(s.samples, labels);
      if (s.min !== undefined) min.add(s.min, labels);
      if (s.max !== undefined) max.add(s.max, labels);
      if (s.sum !== undefined) total.add(s.sum, labels);
    }
  }
  const ops = out.family("lustre_job_stats_total", "counter", "Operations the job has performed on the target, by operation.");
  for (const job of jobs) {
    for (const [operation, s] of job.stats) {
      if (!NOT_OPERATIONS.has(operation)) ops.add(s.samples, { component, jobid: job.jobid, operation, target });
    }
  }
}

export const lustre = defineCollector({
  name: "lustre",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      for (const { dir, component } of SOURCES) {
        const base = join(paths.procfs, "fs", "lustre", dir);
        for (const target of listDir(base).sort()) {
          const text = readText(join(base, target, "job_stats"));
          if (text !== null) emit(out, component, target, parseJobStats(text));
        }
      }
    },
  }),
});
