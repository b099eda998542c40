/** What the benchmarks read about a running process from /proc. */
import { readFileSync } from "node:fs";

/** Resident memory in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"));
  return m ? Number(m[1]) : NaN;
}

const USER_HZ = 100;

/** CPU time used so far, user and system, in seconds (utime + stime). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / USER_HZ; // utime, stime: fields 14 and 15
}
