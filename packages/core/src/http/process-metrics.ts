/**
 * The agent's own process_* metrics, read from /proc/self on each scrape (prom-client's default collectors
 * cost ~10 ms per scrape under Bun and grow with the heap; these are three small reads, of files kept open,
 * and one stat).
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { readPseudoFile } from "../pseudo-files.ts";
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

function kbField(status: string, key: string): number {
  const at = status.indexOf(key + ":");
  if (at < 0) return NaN;
  return parseInt(status.slice(at + key.length + 1), 10) * 1024;
}

/**
 * Open descriptors: since Linux 6.2 the size that stat reports for /proc/self/fd is their count. One stat is
 * 2 us; listing the directory is 32 us with the ~70 descriptors the agent holds (its pseudo files).
 */
function openFds(): number {
  return statSync("/proc/self/fd").size || readdirSync("/proc/self/fd").length;
}

export function addProcessMetrics(out: MetricSet): void {
  const stat = readPseudoFile("/proc/self/stat");
  // Fields after the command name, which may itself contain spaces and parentheses.
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const startTicks = Number(f[19]);
  const vsize = Number(f[20]);
  // VmRSS, not stat's rss field: on Linux 6.18 that read 2.6 MB below VmRSS at the same moment.
  const status = readPseudoFile("/proc/self/status");
  const limits = readPseudoFile("/proc/self/limits");
  const maxFds = /^Max open files\s+(\d+|unlimited)/m.exec(limits)?.[1];

  out.counter("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", (utime + stime) / USER_HZ);
  out.gauge("process_resident_memory_bytes", "Resident memory size in bytes.", kbField(status, "VmRSS"));
  out.gauge("process_virtual_memory_bytes", "Virtual memory size in bytes.", vsize);
  out.gauge("process_open_fds", "Number of open file descriptors.", openFds());
  out.gauge("process_max_fds", "Maximum number of open file descriptors.", maxFds === "unlimited" || !maxFds ? Infinity : Number(maxFds));
  out.gauge(
    "process_start_time_seconds",
    "Start time of the process since unix epoch in seconds.",
    bootTimeSeconds() + startTicks / USER_HZ,
  );
}
