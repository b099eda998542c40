/**
 * Whole files, sysfs attributes and directory listings, read synchronously (these pseudo-files are tiny, and
 * a thread-pool hop per file costs more than the read). A source the host lacks reads as null or [], which
 * collectors treat as "emit nothing"; paths found missing are remembered (see `missing`).
 */
import { readPseudoFile } from "@agent/os";
import { existsSync, readdirSync } from "node:fs";
import { NoDataError } from "../collector.ts";

/** The system error code of `e` (ENOENT, EINVAL, ...), or undefined. */
export function errnoOf(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/** Errors that mean "this host has no such source", which collectors treat as "emit nothing". */
function isAbsent(e: unknown): boolean {
  const code = errnoOf(e);
  return code === "ENOENT" || code === "ENOTDIR" || code === "ENODEV" || code === "ENXIO";
}

/**
 * Paths found missing before. Most hosts lack most optional sources (no NFS, no InfiniBand, no cpufreq on a
 * VM), and a failed open costs a thrown error every scrape; a missing path is checked again with a cheap
 * existsSync instead, while paths that exist are opened directly with no extra syscall.
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
 * The entries of the directory a collector reads its devices from (a /sys/class/<name>); NoDataError when the
 * host has no such directory. Only an empty listing pays for the existence check.
 */
export function listSourceDir(path: string): string[] {
  const names = listDir(path);
  if (names.length === 0 && !existsSync(path)) throw new NoDataError(path);
  return names;
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
    if (errnoOf(e) === "EACCES") return [];
    throw e;
  }
}
