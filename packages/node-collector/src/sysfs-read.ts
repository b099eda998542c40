/**
 * Small synchronous readers for procfs and sysfs attributes. These files are tiny and served from kernel
 * memory, so a synchronous read costs less than scheduling a promise per attribute. A missing file, or an
 * attribute the kernel refuses to produce (EINVAL, EIO, ENODEV, EACCES on some drivers), reads as undefined:
 * collectors treat that as "this host has no such data".
 */
import { readdirSync, readFileSync, readlinkSync, statSync } from "node:fs";

const ABSENT = new Set(["ENOENT", "ENOTDIR", "EINVAL", "EIO", "ENODEV", "ENXIO", "EACCES", "EPERM", "EOPNOTSUPP", "EAGAIN", "EBUSY"]);

function isAbsent(e: unknown): boolean {
  return ABSENT.has((e as NodeJS.ErrnoException).code ?? "");
}

/** The whole file, or undefined when it is absent or unreadable. */
export function readText(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    if (isAbsent(e)) return undefined;
    throw e;
  }
}

/** A one-value attribute without its trailing newline. */
export function readAttr(path: string): string | undefined {
  const t = readText(path);
  return t === undefined ? undefined : t.trim();
}

/** A numeric attribute; undefined when absent or not a number. */
export function readNumber(path: string): number | undefined {
  const t = readAttr(path);
  if (t === undefined || t === "") return undefined;
  const n = Number(t);
  return Number.isNaN(n) ? undefined : n;
}

/** Directory entries in name order, or [] when the directory does not exist. */
export function listDir(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch (e) {
    if (isAbsent(e)) return [];
    throw e;
  }
}

/** The target of a symbolic link, or undefined. */
export function readLink(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch (e) {
    if (isAbsent(e)) return undefined;
    throw e;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Hex (`0x1f`) or decimal. */
export function parseHexOrDec(text: string): number {
  return text.startsWith("0x") || text.startsWith("0X") ? parseInt(text.slice(2), 16) : Number(text);
}
