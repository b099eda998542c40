/**
 * Small, allocation-light readers for procfs and sysfs. Synchronous reads measured fastest for these tiny
 * pseudo-files (no thread-pool hop per file). Every path goes through NodePaths so tests can point
 * --path.procfs / --path.sysfs / --path.rootfs at fixture trees.
 */
import { readPseudoFile } from "@agent/core";
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
 */
export function readAttr(path: string): string | null {
  if (knownMissing(path)) return null;
  try {
    const s = readPseudoFile(path);
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

/** Lines of a file without the trailing empty one. */
export function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/**
 * `Key: value [unit]` files (meminfo, /proc/<pid>/status): calls `fn(key, number, unit)` per line whose value
 * parses, without splitting the whole line into fields.
 */
export function eachKeyValue(text: string, fn: (key: string, value: number, unit: string) => void): void {
  let pos = 0;
  const n = text.length;
  while (pos < n) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = n;
    const colon = text.indexOf(":", pos);
    if (colon > pos && colon < end) {
      const key = text.slice(pos, colon);
      let i = colon + 1;
      while (i < end && isSpace(text.charCodeAt(i))) i++;
      let j = i;
      while (j < end && !isSpace(text.charCodeAt(j))) j++;
      const value = Number(text.slice(i, j));
      let k = j;
      while (k < end && isSpace(text.charCodeAt(k))) k++;
      if (j > i && !Number.isNaN(value)) fn(key, value, text.slice(k, end).trimEnd());
    }
    pos = end + 1;
  }
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

/**
 * A field filter that remembers each name's answer: the same few hundred vmstat/netstat names come back
 * every scrape, and testing each against the field regex again costs more than reading the file. Keyed by
 * the regex, so a collector's configured pattern gets its own memo.
 */
export function memoMatcher(): (re: RegExp | undefined) => (name: string) => boolean {
  const memos = new Map<RegExp | undefined, (name: string) => boolean>();
  return (re) => {
    let m = memos.get(re);
    if (!m) {
      if (!re) {
        m = () => true;
      } else {
        const seen = new Map<string, boolean>();
        m = (name) => {
          let ok = seen.get(name);
          if (ok === undefined) {
            ok = re.test(name);
            if (seen.size < 10000) seen.set(name, ok);
          }
          return ok;
        };
      }
      memos.set(re, m);
    }
    return m;
  };
}

/** USER_HZ: /proc/stat ticks per second, fixed at 100 on every Linux ABI node_exporter supports. */
export const USER_HZ = 100;
