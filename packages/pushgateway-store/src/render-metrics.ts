/**
 * A group's metrics as samples and as sample lines, as Pushgateway renders them, every number in Go's
 * shortest form.
 */
import { appendLabelPairs, formatValue, isValidMetricName, renderHeader, renderLabelPairs, renderSeries, type MetricType } from "@agent/core";
import { PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, PUSH_TIME, PUSH_TIME_HELP, rowStart, seriesOf, type FamilyColumns, type StoredFamily } from "./families.ts";
import type { Group } from "./group.ts";

/** One sample of a stored metric: its labels are the family's flat pairs `[from, to)`, then `extra` (le or quantile). */
export type ColumnSample = (series: string, from: number, to: number, extra: readonly [string, string] | undefined, value: number) => void;

/**
 * Every sample of metrics of one family, in Go's text exposition order, as Pushgateway writes them: histogram
 * buckets with the `+Inf` one, summary quantiles, then `_sum` and `_count`.
 */
export function forEachColumnSample(name: string, type: MetricType, c: FamilyColumns, sample: ColumnSample): void {
  const [bucket, sumName, countName] = [name + "_bucket", name + "_sum", name + "_count"];
  const n = seriesOf(c);
  for (let i = 0; i < n; i++) {
    const from = rowStart(c.labels, i);
    const to = rowStart(c.labels, i + 1);
    if (c.parts === undefined) {
      sample(name, from, to, undefined, c.numbers[i]!);
      continue;
    }
    const parts = c.parts.flat;
    const [sum, count] = [c.numbers[2 * i]!, c.numbers[2 * i + 1]!];
    const [partFrom, partTo] = [rowStart(c.parts, i), rowStart(c.parts, i + 1)];
    let hasInf = false;
    for (let p = partFrom; p + 1 < partTo; p += 2) {
      if (type === "histogram") {
        if (parts[p] === Infinity) hasInf = true;
        sample(bucket, from, to, ["le", formatValue(parts[p]!)], parts[p + 1]!);
      } else sample(name, from, to, ["quantile", formatValue(parts[p]!)], parts[p + 1]!);
    }
    if (type === "histogram" && !hasInf) sample(bucket, from, to, ["le", "+Inf"], count);
    sample(sumName, from, to, undefined, sum);
    sample(countName, from, to, undefined, count);
  }
}

/**
 * Sample lines for metrics of one family. Every line goes onto one array of pieces joined once, read straight
 * from the columns: a string per line (or a += chain, which JSC keeps as a tree of its pieces) or a value per
 * metric would be garbage the size of the text once joined, and a first scrape after a restart renders every
 * stored family.
 */
export function renderMetrics(name: string, type: MetricType, c: FamilyColumns): string {
  const out: string[] = [];
  const pairs = c.labels.flat;
  forEachColumnSample(name, type, c, (series, from, to, extra, value) => {
    if (isValidMetricName(series)) {
      out.push(series);
      appendLabelPairs(out, pairs, extra, from, to);
    } else out.push(renderSeries(series, renderLabelPairs(pairs.slice(from, to), extra)));
    out.push(" ", formatValue(value), "\n");
  });
  return out.join("");
}

/** push_time_seconds / push_failure_time_seconds line for a group. */
export function timestampLine(name: string, seriesLabels: string, seconds: number): string {
  return name + seriesLabels + " " + formatValue(seconds) + "\n";
}

/** A group's families with their HELP and TYPE headers, in name order. */
export function renderFamilies(families: Iterable<StoredFamily>): string {
  let out = "";
  for (const f of [...families].sort((a, b) => (a.name < b.name ? -1 : 1))) out += renderHeader(f.name, f.type, f.help) + f.text;
  return out;
}

/** One group's metrics in the text format, its push times included. */
export function renderGroup(g: Group): string {
  return (
    renderFamilies(g.families.values()) +
    renderHeader(PUSH_FAILURE_TIME, "gauge", PUSH_FAILURE_TIME_HELP) +
    timestampLine(PUSH_FAILURE_TIME, g.seriesLabels, g.failTime) +
    renderHeader(PUSH_TIME, "gauge", PUSH_TIME_HELP) +
    timestampLine(PUSH_TIME, g.seriesLabels, g.pushTime)
  );
}
