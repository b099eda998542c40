import { expect, test } from "bun:test";
import { closeSync, openSync, readdirSync, readFileSync } from "node:fs";
import { MetricSet } from "../exposition/writer.ts";
import { addProcessMetrics } from "./process-metrics.ts";

function value(text: string, name: string): number {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  if (!m) throw new Error(`${name} missing from\n${text}`);
  return Number(m[1]);
}

function scrape(): string {
  const out = new MetricSet();
  addProcessMetrics(out);
  return out.render();
}

test("resident memory agrees with VmRSS in /proc/self/status", () => {
  const text = scrape();
  const vmRss = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "latin1"))![1]) * 1024;
  // Both are the kernel's counters, read a moment apart.
  expect(Math.abs(value(text, "process_resident_memory_bytes") - vmRss)).toBeLessThan(vmRss * 0.05);
});

test("open descriptors follow the descriptors this process opens and closes", () => {
  const before = value(scrape(), "process_open_fds");
  // The directory listing counts the descriptor it reads the directory with.
  expect(Math.abs(before - (readdirSync("/proc/self/fd").length - 1))).toBeLessThanOrEqual(1);
  const fds = Array.from({ length: 10 }, () => openSync("/dev/null", "r"));
  expect(value(scrape(), "process_open_fds")).toBe(before + 10);
  for (const fd of fds) closeSync(fd);
  expect(value(scrape(), "process_open_fds")).toBe(before);
});

test("process_max_fds is the soft limit from /proc/self/limits", () => {
  const limit = /^Max open files\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "latin1"))![1];
  expect(value(scrape(), "process_max_fds")).toBe(Number(limit));
});

test.skipIf(!Bun.which("prlimit"))("process_max_fds follows a limit that prlimit changes from outside", () => {
  const [soft, hard] = /^Max open files\s+(\d+)\s+(\S+)/m.exec(readFileSync("/proc/self/limits", "latin1"))!.slice(1) as [string, string];
  const lower = Math.min(Number(soft), 4096) - 1;
  try {
    expect(Bun.spawnSync(["prlimit", `--pid=${process.pid}`, `--nofile=${lower}:${hard}`]).exitCode).toBe(0);
    expect(value(scrape(), "process_max_fds")).toBe(lower);
  } finally {
    Bun.spawnSync(["prlimit", `--pid=${process.pid}`, `--nofile=${soft}:${hard}`]);
  }
  expect(value(scrape(), "process_max_fds")).toBe(Number(soft));
});

test("process_virtual_memory_max_bytes is the address-space soft limit, unlimited as client_golang writes it", () => {
  const limit = /^Max address space\s+(\d+|unlimited)/m.exec(readFileSync("/proc/self/limits", "latin1"))![1]!;
  const line = /^process_virtual_memory_max_bytes (\S+)$/m.exec(scrape())![1];
  expect(line).toBe(limit === "unlimited" ? "1.8446744073709552e+19" : String(Number(limit)));
});
