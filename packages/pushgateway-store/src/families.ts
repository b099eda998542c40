/**
 * Pushed families -> what a group stores: each family's sample lines rendered once, as Pushgateway renders
 * them (labels sorted, grouping labels applied, `instance=""` added, histogram and summary parts in
 * Go's order with the `+Inf` bucket, `_sum` and `_count` always present). A metric's identity (name and
 * labels) is the start of one of its lines, so the duplicate index is rebuilt from the text alone.
 */
import {
  escapeLabelValue,
  formatValue,
  isValidLabelName,
  parseGoFloat,
  partLabelOf,
  renderLabelName,
  renderSeries,
  type MetricFamily,
  type NameValidation,
  type MetricType,
  type Sample,
} from "@agent/core";
import type { GroupLabels } from "./grouping-key.ts";

export const PUSH_TIME = "push_time_seconds";
export const PUSH_FAILURE_TIME = "push_failure_time_seconds";
export const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
export const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";

/** One family as a group holds it. */
export interface StoredFamily {
  readonly name: string;
  readonly type: MetricType;
  /** Undefined when the push had no HELP for it. */
  readonly help: string | undefined;
  /** Sample lines, each ending in LF; no HELP/TYPE header. */
  readonly text: string;
  /** Metrics in `text`; a histogram or summary counts once. */
  readonly series: number;
  /** Unix ms of the push that stored it. */
  readonly at: number;
}

/** A family about to be stored, with what the consistency check needs beyond the stored form. */
export interface PreparedFamily extends StoredFamily {
  /** Per metric: its identity probe (see probesOf()) and that probe's hash. */
  readonly probes: string[];
  readonly hashes: number[];
}

/** Why a push was refused; `failure` says whether Pushgateway would record push_failure_time_seconds. */
export class PushRejected extends Error {
  constructor(
    message: string,
    readonly reason: string,
    readonly status: number,
    readonly failure: boolean,
  ) {
    super(message);
    this.name = "PushRejected";
  }
}

/** One Pushgateway metric: a sample line, or a whole histogram or summary. */
export interface GroupedMetric {
  /** Name-sorted label pairs, without `le`/`quantile`. */
  labels: [string, string][];
  value: number;
  /** [upper bound, cumulative count] or [quantile, value], in input order. */
  parts: [number, number][];
  sum: number;
  count: number;
  hasInf: boolean;
}

function byteCompare(a: string, b: string): number {
  // UTF-16 order differs from UTF-8 byte order (Go's) only around surrogates; fall back to code points there.
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
    return x - y;
  }
  return a.length - b.length;
}

/** Pushgateway's (client_golang's) metric order: fewer labels first, then label values in name order. */
function compareMetrics(a: GroupedMetric, b: GroupedMetric): number {
  if (a.labels.length !== b.labels.length) return a.labels.length - b.labels.length;
  for (let i = 0; i < a.labels.length; i++) {
    const c = byteCompare(a.labels[i]![1], b.labels[i]![1]);
    if (c !== 0) return c;
  }
  return 0;
}

function renderLabelPairs(pairs: readonly [string, string][], extraName?: string, extraValue?: string): string {
  let out = "{";
  for (let i = 0; i < pairs.length; i++) {
    if (i > 0) out += ",";
    out += renderLabelName(pairs[i]![0]) + '="' + escapeLabelValue(pairs[i]![1]) + '"';
  }
  if (extraName !== undefined) out += (pairs.length > 0 ? "," : "") + extraName + '="' + extraValue + '"';
  return out === "{" ? "" : out + "}";
}

function refuseTimestamp(s: Sample): void {
  if (s.timestampMs !== undefined) throw new PushRejected("pushed metrics must not have timestamps", "timestamp", 400, true);
}

/** Counts are uint64 in Pushgateway's model: fractions are cut off. */
function asCount(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) : v;
}

/**
 * Groups a family's flat samples into Pushgateway metrics. `labelsOf` turns a sample's labels into the
 * final sorted pairs (grouping labels applied); samples of a histogram or summary with equal pairs are one
 * metric. Throws PushRejected on a timestamp or an illegal label name.
 */
export function groupMetrics(family: MetricFamily, labelsOf: (s: Sample) => [string, string][]): GroupedMetric[] {
  const composite = family.type === "histogram" || family.type === "summary";
  const out: GroupedMetric[] = [];
  const byKey = composite ? new Map<string, GroupedMetric>() : undefined;
  for (const s of family.samples) {
    refuseTimestamp(s);
    const pairs = labelsOf(s);
    if (!byKey) {
      out.push({ labels: pairs, value: s.value, parts: [], sum: 0, count: 0, hasInf: false });
      continue;
    }
    const key = pairs.map((p) => p[0] + "\u0000" + p[1]).join("\u0001");
    let m = byKey.get(key);
    if (!m) {
      m = { labels: pairs, value: 0, parts: [], sum: 0, count: 0, hasInf: false };
      byKey.set(key, m);
      out.push(m);
    }
    const suffix = s.name.slice(family.name.length);
    if (suffix === "_sum") m.sum = s.value;
    else if (suffix === "_count") m.count = asCount(s.value);
    else if (family.type === "histogram") {
      const le = parseBound(s.labels.le);
      if (le === Infinity) m.hasInf = true;
      m.parts.push([le, asCount(s.value)]);
    } else m.parts.push([parseBound(s.labels.quantile), s.value]);
  }
  return out;
}

/** An `le` or `quantile` value; the parsers have refused any that is not a Go float. */
function parseBound(text: string | undefined): number {
  return (text === undefined ? undefined : parseGoFloat(text)) ?? NaN;
}

/** Sample lines for metrics of one family, in Go's text exposition order. */
export function renderMetrics(name: string, type: MetricType, metrics: readonly GroupedMetric[]): string {
  let text = "";
  for (const m of metrics) {
    if (type === "histogram") {
      for (const [le, c] of m.parts) text += renderSeries(name + "_bucket", renderLabelPairs(m.labels, "le", formatValue(le))) + " " + formatValue(c) + "\n";
      if (!m.hasInf) text += renderSeries(name + "_bucket", renderLabelPairs(m.labels, "le", "+Inf")) + " " + formatValue(m.count) + "\n";
    } else if (type === "summary") {
      for (const [q, v] of m.parts) text += renderSeries(name, renderLabelPairs(m.labels, "quantile", formatValue(q))) + " " + formatValue(v) + "\n";
    }
    const ls = renderLabelPairs(m.labels);
    if (type === "histogram" || type === "summary") {
      text += renderSeries(name + "_sum", ls) + " " + formatValue(m.sum) + "\n" + renderSeries(name + "_count", ls) + " " + formatValue(m.count) + "\n";
    } else text += renderSeries(name, ls) + " " + formatValue(m.value) + "\n";
  }
  return text;
}

/** 53 bits from two seeded 32-bit hashes: exact in a double, and no BigInt per series on the load path. */
export function identityHash(probe: string): number {
  return Bun.hash.murmur32v3(probe, 0) * 2097152 + (Bun.hash.murmur32v3(probe, 0x9e3779b9) >>> 11);
}

/**
 * A metric's identity as the start of the one line it always has: `name{labels} ` for a sample, the
 * `_sum` line's `name_sum{labels} ` for a histogram or summary. Labels render sorted and escaped, so equal
 * identities give equal probes and different ones different probes.
 */
function probeFor(name: string, type: MetricType, labels: readonly [string, string][]): string {
  const sampleName = type === "histogram" || type === "summary" ? name + "_sum" : name;
  return renderSeries(sampleName, renderLabelPairs(labels)) + " ";
}

/** The identity probes of every metric in a stored family, read back from its text. */
export function probesOf(f: StoredFamily): string[] {
  const out: string[] = [];
  const composite = f.type === "histogram" || f.type === "summary";
  // The start of a `_sum` line with its label set open: `name_sum{`, or `{"name_sum",` for a UTF-8 name.
  const sumPrefix = renderSeries(f.name + "_sum", "{");
  const text = f.text;
  for (let start = 0; start < text.length; ) {
    const end = text.indexOf("\n", start);
    if (!composite || text.startsWith(sumPrefix, start)) out.push(text.slice(start, text.lastIndexOf(" ", end) + 1));
    start = end + 1;
  }
  return out;
}

/** Final label pairs: body labels, grouping labels over them, `instance=""` where missing, sorted by name. */
function applyGrouping(body: Readonly<Record<string, string>>, group: GroupLabels, drop?: string, names?: NameValidation): [string, string][] {
  const merged: Record<string, string> = Object.create(null);
  for (const k in body) {
    if (k === drop) continue;
    if (!isValidLabelName(k, names) || k.startsWith("__")) {
      throw new PushRejected(`label name ${JSON.stringify(k)} is invalid or reserved`, "invalid_label", 400, true);
    }
    merged[k] = body[k]!;
  }
  for (const k in group) merged[k] = group[k]!;
  if (!("instance" in merged)) merged.instance = "";
  return Object.keys(merged)
    .sort()
    .map((k) => [k, merged[k]!]);
}

/**
 * Turns parsed families into what the group will store. Families named push_time_seconds or
 * push_failure_time_seconds are dropped: the store owns those. Throws PushRejected for timestamps, reserved
 * label names and duplicate metrics within the push. `names` says which label names are legal.
 */
export function prepareFamilies(families: readonly MetricFamily[], group: GroupLabels, at: number, names: NameValidation = "legacy"): PreparedFamily[] {
  const out: PreparedFamily[] = [];
  for (const family of families) {
    if (family.name === PUSH_TIME || family.name === PUSH_FAILURE_TIME || family.samples.length === 0) {
      // Still refuse timestamps there, as Pushgateway checks every pushed family before overriding.
      family.samples.forEach(refuseTimestamp);
      continue;
    }
    const drop = partLabelOf(family.type);
    const metrics = groupMetrics(family, (s) => applyGrouping(s.labels, group, drop, names));
    metrics.sort(compareMetrics);
    const hashes: number[] = [];
    const probes: string[] = [];
    const seen = new Set<string>();
    for (const m of metrics) {
      // Within one family the probe is the metric's identity (see probeFor()).
      const probe = probeFor(family.name, family.type, m.labels);
      if (seen.has(probe)) {
        throw new PushRejected(
          `metric ${renderSeries(family.name, renderLabelPairs(m.labels))} appears more than once in the push`,
          "duplicate",
          400,
          true,
        );
      }
      seen.add(probe);
      probes.push(probe);
      hashes.push(identityHash(probe));
    }
    out.push({
      name: family.name,
      type: family.type,
      help: family.help,
      text: renderMetrics(family.name, family.type, metrics),
      series: metrics.length,
      at,
      probes,
      hashes,
    });
  }
  return out;
}

/** The label set every series of a group carries at least: grouping labels plus `instance`. */
export function groupSeriesLabels(group: GroupLabels): string {
  return renderLabelPairs(applyGrouping({}, group));
}

/** push_time_seconds / push_failure_time_seconds line for a group. */
export function timestampLine(name: string, seriesLabels: string, seconds: number): string {
  return name + seriesLabels + " " + formatValue(seconds) + "\n";
}
