/** What the benchmarks read about a running process from /proc. */
import { readdirSync, readFileSync } from "node:fs";
import { statusKiB } from "../test/harness/index.ts";

/** Resident memory in KiB (VmRSS). */
export function rssKiB(pid: number): number {
  return statusKiB(pid, "VmRSS");
}

const USER_HZ = 100;

/** CPU time used so far, user and system, in seconds (utime + stime). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / USER_HZ; // utime, stime: fields 14 and 15
}

/**
 * How many times the process's threads have been run on a CPU so far (third field of each
 * /proc/<pid>/task/<tid>/schedstat): a sleeping thread adds nothing, each wake-up at least one.
 * `thread` counts that thread alone (the process's own id is its main thread).
 */
export function runsOnCpu(pid: number, thread?: number): number {
  const tids = thread === undefined ? readdirSync(`/proc/${pid}/task`) : [String(thread)];
  let runs = 0;
  for (const tid of tids) {
    try {
      runs += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, "latin1").split(" ")[2]);
    } catch {
      // the thread ended between listing and reading
    }
  }
  return runs;
}

/**
 * Waits until none of `pids` has used a clock tick for `quietMs` (at most `timeoutMs`), so that work queued
 * behind a load (an etcd watch still applying events) falls inside a CPU reading taken after it.
 */
export async function untilCpuQuiet(pids: number[], quietMs = 300, timeoutMs = 10_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  let last = pids.map(cpuSeconds);
  for (;;) {
    await Bun.sleep(quietMs);
    const now = pids.map(cpuSeconds);
    if (now.every((c, i) => c === last[i]) || performance.now() > until) return;
    last = now;
  }
}
