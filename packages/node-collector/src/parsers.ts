/**
 * The shapes procfs and sysfs text comes in, parsed plainly. read.ts reads files; these take their text apart.
 * (read.ts keeps fields/lines and the KeyedLines layout for the hot files.)
 */
import { fields, lines } from "./read.ts";

/** A table whose first line names the columns and whose other lines hold one row of values each. */
export interface HeaderTable {
  header: string[];
  rows: string[][];
}

/**
 * /proc/net/stat/*, /proc/softirqs, /proc/interrupts: a header line of blank-separated names, then rows of
 * blank-separated values. Blank lines are not rows.
 */
export function headerTable(text: string): HeaderTable {
  const all = lines(text);
  return { header: fields(all[0] ?? ""), rows: all.slice(1).map(fields).filter((r) => r.length > 0) };
}

/**
 * `key: value` lines (a /proc/cpuinfo block), key and value trimmed; a line without `sep` is skipped,
 * and a key seen twice keeps its first value.
 */
export function keyValues(text: string, sep = ":"): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf(sep);
    if (at <= 0) continue;
    const key = line.slice(0, at).trim();
    if (!out.has(key)) out.set(key, line.slice(at + sep.length).trim());
  }
  return out;
}

/** Splits `name` where its first run of digits starts and ends: `temp1_crit` -> ["temp", "1", "_crit"]. */
export function splitAtNumber(name: string): [before: string, digits: string, after: string] {
  const m = /^(\D*)(\d*)(.*)$/s.exec(name)!;
  return [m[1]!, m[2]!, m[3]!];
}
