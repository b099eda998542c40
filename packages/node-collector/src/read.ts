/**
 * Small, allocation-light readers for procfs and sysfs. Synchronous reads measured fastest for these tiny
 * pseudo-files (no thread-pool hop per file). Every path goes through NodePaths so tests can point
 * --path.procfs / --path.sysfs / --path.rootfs at fixture trees.
 */
import { readPseudoFile } from "@agent/os";
import { existsSync, readdirSync } from "node:fs";
import type { NodePaths } from "./collector.ts";

export const DEFAULT_PATHS: NodePaths = { procfs: "/proc", sysfs: "/sys", rootfs: "/", udevData: "/run/udev/data" };

export function procPath(paths: NodePaths, rel: string): string {
  return paths.procfs + "/" + rel;
}

export function sysPath(paths: NodePaths, rel: string): string {
  return paths.sysfs + "/" + rel;
}

/** A path on the host's root filesystem, under --path.rootfs (for node_exporter in a container). */
export function rootfsPath(paths: NodePaths, abs: string): string {
  if (paths.rootfs === "/" || paths.rootfs === "") return abs;
  return paths.rootfs.replace(/\/+$/, "") + abs;
}

function errCode(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Errors that mean "this host has no such source", which collectors treat as "emit nothing". */
function isAbsent(e: unknown): boolean {
  const code = errCode(e);
  return code === "ENOENT" || code === "ENOTDIR" || code === "ENODEV" || code === "ENXIO";
}

/**
 * Paths found missing before. Most hosts lack most optional sources (no NFS, no InfiniBand, no cpufreq on a
 * VM), and a failed open costs a thrown error (~10 us) every scrape; a missing path is checked again with a
 * cheap existsSync instead, while paths that exist are opened directly with no extra syscall.
 */
const missing = new Set<string>();
const MISSING_LIMIT = 4096;

function knownMissing(path: string): boolean {
  if (!missing.has(path)) return false;
  if (!existsSync(path)) return true;
  missing.delete(path);
  return false;
}

function noteMissing(path: string): void {
  if (missing.size < MISSING_LIMIT) missing.add(path);
}

/**
 * A whole file, or null when it does not exist. Other errors (EACCES, EIO) are real failures and throw.
 * `keepOpen: false` for files read once and gone (a process's /proc/<pid>/stat), which would only fill the
 * held descriptors.
 */
export function readText(path: string, opts?: { keepOpen: boolean }): string | null {
  if (knownMissing(path)) return null;
  try {
    return readPseudoFile(path, opts?.keepOpen ?? true);
  } catch (e) {
    if (isAbsent(e)) {
      noteMissing(path);
      return null;
    }
    throw e;
  }
}

/**
 * One sysfs attribute, trimmed; null when it cannot be read for any reason. Many attributes fail with
 * EINVAL or EIO depending on the device's state (speed of a downed link), which node_exporter skips too.
 * `keepSpaces` strips newlines only, where node_exporter keeps a text's spaces (hwmon labels).
 */
export function readAttr(path: string, keepSpaces = false): string | null {
  if (knownMissing(path)) return null;
  try {
    const s = readPseudoFile(path);
    if (keepSpaces) return s.replace(/^\n+|\n+$/g, "");
    return s.length > 0 && s.charCodeAt(s.length - 1) === 10 ? s.slice(0, -1).trim() : s.trim();
  } catch (e) {
    if (isAbsent(e)) noteMissing(path);
    return null;
  }
}

/** A numeric sysfs attribute, or null when absent, unreadable or not a number. */
export function readNumber(path: string): number | null {
  const s = readAttr(path);
  if (s === null || s === "") return null;
  const n = Number(s);
  return Number.isNaN(n) ? null : n;
}

/** Directory entries, or [] when the directory does not exist. */
export function listDir(path: string): string[] {
  return readDir(path, () => readdirSync(path));
}

/**
 * Names of the subdirectories only, from the entry types the directory read already returns: a collector
 * that looks for subdirectories among attribute files (btrfs profiles) needs no failed lookup per file.
 */
export function listSubdirs(path: string): string[] {
  return readDir(path, () => readdirSync(path, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name);
}

function readDir<T>(path: string, read: () => T[]): T[] {
  if (knownMissing(path)) return [];
  try {
    return read();
  } catch (e) {
    if (isAbsent(e)) {
      noteMissing(path);
      return [];
    }
    if (errCode(e) === "EACCES") return [];
    throw e;
  }
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Whitespace-separated fields, without a regex. */
export function fields(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    out.push(line.slice(start, i));
  }
  return out;
}

/** The `n`th (from 0) whitespace-separated field of `line`, or undefined; splits nothing else. */
export function field(line: string, n: number): string | undefined {
  const len = line.length;
  let i = 0;
  for (let k = 0; ; k++) {
    while (i < len && isSpace(line.charCodeAt(i))) i++;
    if (i >= len) return undefined;
    const start = i;
    while (i < len && !isSpace(line.charCodeAt(i))) i++;
    if (k === n) return line.slice(start, i);
  }
}

/** Lines of a file without the trailing empty one. */
export function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/**
 * A file of one `key value` line per field whose keys the kernel prints in the same order on every read
 * (meminfo, snmp6). The last read's keys are checked in place against the next, so a scrape makes no string
 * per line; a file whose keys changed (a module added fields) is read the slow way and becomes the layout.
 */
export class KeyedLines<T> {
  /** Each line's key with the character that ends it (`MemTotal:`), in file order. */
  private prefixes: string[] = [];
  private plans: (T | null)[] = [];
  /** Where each line of the text being read starts and ends, noted by matches(). */
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];

  /**
   * `keyEnd(text, lineStart, lineEnd)`: where the line's key ends (the index of its terminator), or -1 for a
   * line without one. `planOf(key, line)`: what a key becomes, or null when it is not wanted; it sees the
   * whole line for what else fixes the meaning of the value (meminfo's unit).
   */
  constructor(
    private readonly keyEnd: (text: string, lineStart: number, lineEnd: number) => number,
    private readonly planOf: (key: string, line: string) => T | null,
  ) {}

  /** Calls `emit(plan, valueStart, lineEnd)` for each wanted line of `text`, in file order. */
  each(text: string, emit: (plan: T, valueStart: number, lineEnd: number) => void): void {
    if (this.matches(text)) {
      for (let k = 0; k < this.plans.length; k++) {
        const plan = this.plans[k];
        if (plan === null || plan === undefined) continue;
        emit(plan, this.starts[k]! + this.prefixes[k]!.length, this.ends[k]!);
      }
      return;
    }
    this.prefixes = [];
    this.plans = [];
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = text.length;
      const stop = this.keyEnd(text, pos, end);
      if (stop > pos) {
        const plan = this.planOf(text.slice(pos, stop), text.slice(pos, end));
        this.prefixes.push(text.slice(pos, stop + 1));
        this.plans.push(plan);
        if (plan !== null) emit(plan, stop + 1, end);
      }
      pos = end + 1;
    }
  }

  /** Whether `text` has the layout's keys, line for line; notes where each line starts and ends. */
  private matches(text: string): boolean {
    if (this.prefixes.length === 0) return false;
    let pos = 0;
    for (let k = 0; k < this.prefixes.length; k++) {
      if (!text.startsWith(this.prefixes[k]!, pos)) return false;
      const end = text.indexOf("\n", pos);
      this.starts[k] = pos;
      this.ends[k] = end < 0 ? text.length : end;
      pos = this.ends[k]! + 1;
    }
    return pos >= text.length;
  }
}

/** A `keyEnd` for KeyedLines: the first space or tab of the line, or -1. */
export function blankAt(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) return i;
  }
  return -1;
}

/** The integer at `from` after blanks, read digit by digit (no string made), or NaN when there is none. */
export function integerAt(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  let v = 0;
  const start = i;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === start) return NaN;
  // Past 15 digits the running sum may round differently from a correctly rounded parse.
  if (i - start > 15) v = Number(text.slice(start, i));
  return negative ? -v : v;
}

/** Shell-style `KEY=value` / `KEY="value"` files (os-release). */
export function parseEnvFile(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of lines(text)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    let v = line.slice(eq + 1).trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v[v.length - 1] === v[0]) {
      v = v.slice(1, -1);
      if (line[eq + 1] === '"') v = v.replace(/\\(["\\$`])/g, "$1");
    }
    out.set(line.slice(0, eq).trim(), v);
  }
  return out;
}

/**
 * node_exporter's include/exclude filter pair: with an include pattern only matches pass; otherwise
 * everything but the exclude pattern's matches.
 */
export function deviceFilter(include: RegExp | undefined, exclude: RegExp | undefined): (name: string) => boolean {
  if (include) return (name) => include.test(name);
  if (exclude) return (name) => !exclude.test(name);
  return () => true;
}

/** USER_HZ: /proc/stat ticks per second, fixed at 100 on every Linux ABI node_exporter supports. */
export const USER_HZ = 100;

/**
 * An integer as Go's strconv.ParseInt(s, 0, 64) reads it, which procfs uses for sysctl and zoneinfo values:
 * decimal, or with a 0x, 0o, 0b or bare leading-0 (octal) prefix. NaN when it is none of those.
 */
export function goInt(s: string): number {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(s);
  if (!m) return NaN;
  const v = m[2] ? parseInt(m[2], 16) : m[3] ? parseInt(m[3], 8) : m[4] ? parseInt(m[4], 2) : Number(m[5]);
  return m[1] === "-" ? -v : v;
}
