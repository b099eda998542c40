/**
 * Gives back the pages of the agent's own executable that only start-up touched. A compiled Bun program is
 * one large file; starting the runtime, parsing flags, binding the roles and the first scrapes leave much
 * of it resident, of which later scrapes fault back only part. The kernel keeps
 * every page a process touched in its resident set until memory runs short, so start-up code would show in
 * RSS for the life of the agent.
 *
 * madvise(MADV_DONTNEED) on the executable's read-only file mappings unmaps those pages from the process; they
 * stay in the page cache, so what a later scrape needs faults back in from memory, not from disk. Only
 * mappings that hold no private copy of a page (`Anonymous: 0 kB`) are touched: for those the file is the
 * only content, so nothing can be lost; the relocated RELRO segment, which holds such copies, is left alone.
 */
import { FFIType } from "bun:ffi";
import { libcFunctions } from "@agent/os";
import { readFileSync } from "node:fs";

const MADV_DONTNEED = 4;

export interface ReleasedPages {
  /** Mappings given back. */
  mappings: number;
  /** Resident KiB of those mappings just before. */
  kib: number;
}

interface Mapping {
  start: bigint;
  end: bigint;
  rssKiB: number;
}

/** The executable's read-only mappings that hold only file content, from /proc/self/smaps. */
export function cleanExecutableMappings(smaps: string, executable: string): Mapping[] {
  const out: Mapping[] = [];
  for (const block of smaps.split(/\n(?=[0-9a-f]+-[0-9a-f]+ )/)) {
    const eol = block.indexOf("\n");
    const head = (eol < 0 ? block : block.slice(0, eol)).split(/\s+/);
    const [range, perms] = head;
    if (!range || !perms || perms.includes("w") || head.slice(5).join(" ") !== executable) continue;
    if (/^Anonymous:\s+0 kB$/m.exec(block) === null) continue;
    const [start, end] = range.split("-").map((h) => BigInt("0x" + h)) as [bigint, bigint];
    out.push({ start, end, rssKiB: Number(/^Rss:\s+(\d+) kB$/m.exec(block)?.[1] ?? 0) });
  }
  return out;
}

/** Releases the executable's clean pages; null where that cannot be done (not Linux, no libc to call). */
export function releaseStartupPages(executable = process.execPath): ReleasedPages | null {
  if (process.platform !== "linux") return null;
  const mappings = cleanExecutableMappings(readFileSync("/proc/self/smaps", "latin1"), executable);
  if (mappings.length === 0) return null;
  const libc = libcFunctions({ madvise: { args: [FFIType.u64, FFIType.u64, FFIType.i32], returns: FFIType.i32 } });
  if (!libc) return null;
  let released = 0;
  let kib = 0;
  for (const m of mappings) {
    if (libc.madvise(m.start, m.end - m.start, MADV_DONTNEED) === 0) {
      released++;
      kib += m.rssKiB;
    }
  }
  return { mappings: released, kib };
}
