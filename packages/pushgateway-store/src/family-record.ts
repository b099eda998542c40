/**
 * A stored family as a record holds it: its values, not its text, so a restart rebuilds the same
 * StoredFamily and the render happens on the first scrape. Numbers are JS numbers; where a record travels
 * as JSON (etcd), NaN and ±Inf travel as the strings String() gives them, which num() reads back.
 *
 * Format 1 records (agents before this one) held rendered sample lines instead; they are read once by the
 * text parser, as a pushed body would be, and written in format 2 at the group's next change.
 */
import { parseText, partLabelOf, renderHeader, type MetricType } from "@agent/core";
import { columnsOf, hasInfBucket, ragged, StoredFamily, type FamilyColumns, type GroupedMetric } from "./families.ts";
import { groupMetrics } from "./grouping.ts";

type Num = number | string;
/** A sample: [flat label pairs, value]; a histogram or summary: [flat label pairs, sum, count, flat parts, has +Inf]. */
type MetricRecord = [string[], Num] | [string[], Num, Num, Num[], boolean];
/** [name, type, help or null, pushed at (ms), metrics] */
export type FamilyRecord = [string, MetricType, string | null, number, MetricRecord[]];
/** [name, type, help or null, sample lines, pushed at (ms), metrics in text]: format 1. */
export type FamilyRecordV1 = [string, MetricType, string | null, string, number, number];

function num(x: Num): number {
  return typeof x === "number" ? x : Number(x);
}

function toMetricRecord(type: MetricType, m: GroupedMetric): MetricRecord {
  if (partLabelOf(type) === undefined) return [m.labels as string[], m.value];
  return [m.labels as string[], m.sum, m.count, m.parts.flat(), type === "histogram" && hasInfBucket(m)];
}

/**
 * A family's metric records as columns, with no value per metric on the way. `intern` gives label names and
 * values one copy each (a record's strings are new ones each time); the records' label arrays, read for
 * this alone, become the rows.
 */
function columnsOfRecords(type: MetricType, records: MetricRecord[], intern: (s: string) => string): FamilyColumns {
  const rows = records.map((m) => {
    const pairs = m[0];
    for (let j = 0; j < pairs.length; j++) pairs[j] = intern(pairs[j]!);
    return pairs;
  });
  const labels = ragged(rows);
  if (partLabelOf(type) === undefined) return { labels, numbers: records.map((m) => num(m[1])) };
  return { labels, numbers: records.flatMap((m) => [num(m[1]), num(m[2] ?? NaN)]), parts: ragged(records.map((m) => (m[3] ?? []).map(num))) };
}

export function toFamilyRecord(f: StoredFamily): FamilyRecord {
  return [f.name, f.type, f.help ?? null, f.at, f.metrics.map((m) => toMetricRecord(f.type, m))];
}

/** `intern` gives one copy of each name, type, HELP text and label string however many records repeat them. */
export function fromFamilyRecord(r: FamilyRecord | FamilyRecordV1, intern: (s: string) => string): StoredFamily {
  const name = intern(r[0]);
  const type = intern(r[1]) as MetricType;
  const help = r[2] === null ? undefined : intern(r[2]);
  if (r.length === 6) return new StoredFamily(name, type, help, columnsOf(type, upgradeV1(name, type, r[3])), r[4]);
  return new StoredFamily(name, type, help, columnsOfRecords(type, r[4], intern), r[3]);
}

/** Format 1's sample lines back to metrics; the lines were rendered with grouping labels applied and sorted. */
function upgradeV1(name: string, type: MetricType, text: string): GroupedMetric[] {
  // The text may quote UTF-8 names (--push.enable-utf8-names).
  const [family] = parseText(renderHeader(name, type, undefined) + text, "utf8");
  const drop = partLabelOf(type);
  return family ? groupMetrics(family, (s) => Object.entries(s.labels).flatMap(([k, v]) => (k === drop ? [] : [k, v]))) : [];
}

/** JSON.stringify's replacer for records that travel as JSON: NaN and ±Inf as strings (see num()). */
export function nonFiniteAsString(_key: string, value: unknown): unknown {
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}
