/**
 * The agent's own process_* metrics, read from /proc/self on each scrape: client_golang's full set, as
 * node_exporter and Pushgateway serve it, from two one-line reads of files kept open, a stat and two
 * getrlimit calls (prom-client's default collectors cost more per scrape under Bun and grow with the heap).
 */
import { FFIType } from "bun:ffi";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { libcFunctions, readPseudoFile } from "@agent/os";
import { procStatFields } from "../proc-stat.ts";
import type { MetricSet } from "../exposition/writer.ts";

const USER_HZ = 100;

let bootTime: number | undefined;
function bootTimeSeconds(): number {
  if (bootTime === undefined) {
    const m = /^btime (\d+)$/m.exec(readFileSync("/proc/stat", "latin1"));
    bootTime = m ? Number(m[1]) : 0;
  }
  return bootTime;
}

const libc = libcFunctions({
  getpagesize: { args: [], returns: FFIType.i32 },
  getrlimit: { args: [FFIType.i32, FFIType.ptr], returns: FFIType.i32 },
});
const PAGE_BYTES = libc?.getpagesize() ?? 4096;
const RLIMIT_NOFILE = 7;
const RLIMIT_AS = 9;
const RLIM_INFINITY = 0xffffffffffffffffn;
const rlimit = new BigUint64Array(2);

/**
 * The soft limit on open files, from getrlimit where /proc/self/limits formats sixteen lines for it;
 * prlimit(1) from outside changes what both report.
 */
function maxOpenFiles(): number {
  if (libc && libc.getrlimit(RLIMIT_NOFILE, rlimit) === 0) return rlimit[0] === RLIM_INFINITY ? Infinity : Number(rlimit[0]);
  const max = /^Max open files\s+(\d+|unlimited)/m.exec(readPseudoFile("/proc/self/limits"))?.[1];
  return max === "unlimited" || !max ? Infinity : Number(max);
}

/**
 * The soft limit on address space. Unlimited is RLIM_INFINITY as a float (1.8446744073709552e+19), which is
 * what client_golang reports, reading "unlimited" from /proc/self/limits as the largest uint64.
 */
function maxVirtualMemory(): number {
  if (libc && libc.getrlimit(RLIMIT_AS, rlimit) === 0) return Number(rlimit[0]);
  const max = /^Max address space\s+(\d+|unlimited)/m.exec(readPseudoFile("/proc/self/limits"))?.[1];
  return max === "unlimited" || !max ? Number(RLIM_INFINITY) : Number(max);
}

/**
 * Open descriptors: since Linux 6.2 the size that stat reports for /proc/self/fd is their count, one stat
 * where listing the directory grows with the descriptors the agent holds (its pseudo files).
 */
function openFds(): number {
  return statSync("/proc/self/fd").size || readdirSync("/proc/self/fd").length;
}

export function addProcessMetrics(out: MetricSet): void {
  const f = procStatFields(readPseudoFile("/proc/self/stat"));
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const startTicks = Number(f[19]);
  const vsize = Number(f[20]);
  // statm's resident pages (its second field) are status's VmRSS, in one line where status formats fifty;
  // stat's rss field reads below both.
  const residentPages = Number(readPseudoFile("/proc/self/statm").split(" ")[1]);

  out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", (utime + stime) / USER_HZ);
  out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", residentPages * PAGE_BYTES);
  out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsize);
  out.gauge("process_open_fds", "Number of open file descriptors.", openFds());
  out.gauge("process_max_fds", "Maximum number of open file descriptors.", maxOpenFiles());
  out.gauge("process_virtual_memory_max_bytes", "Maximum amount of virtual memory available in bytes.", maxVirtualMemory());
  out.gauge(
    "process_start_time_seconds",
    "Start time of the process since unix epoch in seconds.",
    bootTimeSeconds() + startTicks / USER_HZ,
  );
}
