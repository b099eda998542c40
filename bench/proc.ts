/** What the benchmarks read about a running process from /proc. */
import { readFileSync } from "node:fs";

/** Resident memory in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
  return m ? Number(m[1]) : NaN;
}
