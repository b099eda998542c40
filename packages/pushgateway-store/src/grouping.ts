/**
 * Pushed families -> what a group stores: Pushgateway metrics with the grouping labels applied (labels
 * sorted, `instance=""` added), histogram and summary samples gathered into one metric each, `_sum` and
 * `_count` always present, in client_golang's order.
 */
import {
  isValidLabelName,
  parseGoFloat,
  partLabelOf,
  renderLabelPairs,
  renderSeries,
  seriesIdentity,
  type MetricFamily,
  type NameValidation,
  type Sample,
} from "@agent/core";
import { columnsOf, NO_PARTS, PUSH_FAILURE_TIME, PUSH_TIME, StoredFamily, type GroupedMetric, type PreparedFamily } from "./families.ts";
import type { GroupLabels } from "./grouping-key.ts";
import { PushRejected } from "./push-rejected.ts";
import { renderMetrics } from "./render-metrics.ts";

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
  for (let i = 1; i < a.labels.length; i += 2) {
    const c = byteCompare(a.labels[i]!, b.labels[i]!);
    if (c !== 0) return c;
  }
  return 0;
}

function refuseTimestamp(s: Sample): void {
  if (s.timestampMs !== undefined) throw new PushRejected("pushed metrics must not have timestamps", "timestamp", 400, true);
}

/** Counts are uint64 in Pushgateway's model: fractions are cut off. */
function asCount(v: number): number {
  return Number.isFinite(v) ? Math.trunc(v) : v;
}

/**
 * Groups a family's samples into Pushgateway metrics. `labelsOf` turns a sample's labels into the final
 * name-sorted flat pairs (grouping labels applied); samples of a histogram or summary with equal pairs are one
 * metric. Throws PushRejected on a timestamp or an illegal label name.
 */
export function groupMetrics(family: MetricFamily, labelsOf: (s: Sample) => string[]): GroupedMetric[] {
  const composite = family.type === "histogram" || family.type === "summary";
  const out: GroupedMetric[] = [];
  const byKey = composite ? new Map<string, GroupedMetric>() : undefined;
  for (const s of family.samples) {
    refuseTimestamp(s);
    const pairs = labelsOf(s);
    if (!byKey) {
      out.push({ labels: pairs, value: s.value, parts: NO_PARTS, sum: 0, count: 0 });
      continue;
    }
    const key = seriesIdentity(family.name, pairs);
    let m = byKey.get(key);
    if (!m) {
      m = { labels: pairs, value: 0, parts: [], sum: 0, count: 0 };
      byKey.set(key, m);
      out.push(m);
    }
    const suffix = s.name.slice(family.name.length);
    if (suffix === "_sum") m.sum = s.value;
    else if (suffix === "_count") m.count = asCount(s.value);
    else if (family.type === "histogram") m.parts.push([parseBound(s.labels.le), asCount(s.value)]);
    else m.parts.push([parseBound(s.labels.quantile), s.value]);
  }
  return out;
}

/** An `le` or `quantile` value; the parsers have refused any that is not a Go float. */
function parseBound(text: string | undefined): number {
  return (text === undefined ? undefined : parseGoFloat(text)) ?? NaN;
}

/** Final flat label pairs: body labels, grouping labels over them, `instance=""` where missing, sorted by name. */
function applyGrouping(body: Readonly<Record<string, string>>, group: GroupLabels, drop?: string, names?: NameValidation): string[] {
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
  const out: string[] = [];
  for (const k of Object.keys(merged).sort()) out.push(k, merged[k]!);
  return out;
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
    const identities = metrics.map((m) => seriesIdentity(family.name, m.labels));
    const seen = new Set<string>();
    identities.forEach((id, i) => {
      if (seen.has(id)) {
        const series = renderSeries(family.name, renderLabelPairs(metrics[i]!.labels));
        throw new PushRejected(`metric ${series} appears more than once in the push`, "duplicate", 400, true);
      }
      seen.add(id);
    });
    // Rendered with the push rather than at the next scrape, which would otherwise render every group pushed since.
    const columns = columnsOf(family.type, metrics);
    const stored = new StoredFamily(family.name, family.type, family.help, columns, at, renderMetrics(family.name, family.type, columns));
    out.push({ family: stored, identities });
  }
  return out;
}

/** The flat label pairs every series of a group carries at least: grouping labels plus `instance`. */
export function groupSeriesPairs(group: GroupLabels): string[] {
  return applyGrouping({}, group);
}

export function groupSeriesLabels(group: GroupLabels): string {
  return renderLabelPairs(groupSeriesPairs(group));
}
