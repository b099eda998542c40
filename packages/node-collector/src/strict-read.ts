/**
 * Reads that fail as node_exporter's do (os.Open, and procfs's SysReadFile, ReadUintFromFile, ReadIntFromFile),
 * for collectors whose source node_exporter requires: every error throws, a missing file included, and a number
 * must be a plain decimal integer. The error keeps the system's code (ENOENT, ENODATA) for the caller to sort,
 * and names the file.
 */
import { readPseudoFile } from "@agent/os";
import { readdirSync } from "node:fs";
import { errnoOf, readText } from "./read.ts";

/** What procfs treats as an optional attribute's absence (os.IsNotExist or os.IsPermission). */
export function isMissingOrForbidden(e: unknown): boolean {
  const code = errnoOf(e);
  return code === "ENOENT" || code === "EACCES" || code === "EPERM";
}

/** `read()`'s value, or null where its file is missing or forbidden; any other error throws. */
export function optionalRead<T>(read: () => T): T | null {
  try {
    return read();
  } catch (e) {
    if (isMissingOrForbidden(e)) return null;
    throw e;
  }
}

/** A file node_exporter requires, read as readText reads it; a missing file throws, naming it. */
export function readRequired(path: string): string {
  const text = readText(path);
  if (text === null) throw Object.assign(new Error(`open ${path}: no such file or directory`), { code: "ENOENT" });
  return text;
}

/** A file's whole text, trimmed; throws for any error, with the path in the message and the code kept. */
export function readStrict(path: string): string {
  try {
    return readPseudoFile(path).trim();
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw Object.assign(new Error(`${path}: ${err.message}`), { code: err.code });
  }
}

/** Go's strconv.ParseUint(s, 10, 64) / ParseInt(s, 10, 64): digits only (a sign for signed), else throws. */
function parseDecimal(s: string, signed: boolean, path: string): number {
  if (!(signed ? /^[+-]?\d+$/ : /^\d+$/).test(s)) throw new Error(`${path}: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

/** An unsigned decimal integer file, as ReadUintFromFile reads it. */
export function readUintStrict(path: string): number {
  return parseDecimal(readStrict(path), false, path);
}

/** A signed decimal integer file, as ReadIntFromFile reads it. */
export function readIntStrict(path: string): number {
  return parseDecimal(readStrict(path), true, path);
}

/**
 * Every regular file of `dir` read with readStrict, as procfs's sysfs parsers walk a class directory: a file
 * whose error code (and name) `skipped` accepts is left out, any other error throws, and so does listing `dir`.
 */
export function readRegularFiles(dir: string, skipped: (code: string | undefined, name: string) => boolean): Map<string, string> {
  const values = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    try {
      values.set(entry.name, readStrict(dir + "/" + entry.name));
    } catch (e) {
      if (!skipped(errnoOf(e), entry.name)) throw e;
    }
  }
  return values;
}
