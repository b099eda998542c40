/**
 * A group's metrics as sample lines, as Pushgateway renders them: histogram buckets with the `+Inf` one,
 * summary quantiles, then `_sum` and `_count`, every number in Go's shortest form.
 */
import { appendLabelPairs, formatValue, isValidMetricName, renderHeader, renderLabelPairs, renderSeries, type MetricType } from "@agent/core";
import { PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, PUSH_TIME, PUSH_TIME_HELP, type GroupedMetric, type StoredFamily } from "./families.ts";
import type { Group } from "./group.ts";

/**
 * Sample lines for metrics of one family, in Go's text exposition order. Every line goes onto one array of
 * pieces joined once: a string per line (or a += chain, which JSC keeps as a tree of its pieces) would be
 * garbage the size of the text once joined, and a first scrape after a restart renders every stored family.
 */
export function renderMetrics(name: string, type: MetricType, metrics: readonly GroupedMetric[]): string {
  const out: string[] = [];
  const sample = (series: string, labels: readonly string[], extra: readonly [string, string] | undefined, value: number): void => {
    if (isValidMetricName(series)) {
      out.push(series);
      appendLabelPairs(out, labels, extra);
    } else out.push(renderSeries(series, renderLabelPairs(labels, extra)));
    out.push(" ", formatValue(value), "\n");
  };
  const [bucket, sum, count] = [name + "_bucket", name + "_sum", name + "_count"];
  for (const m of metrics) {
    if (type === "histogram") {
      for (const [le, c] of m.parts) sample(bucket, m.labels, ["le", formatValue(le)], c);
      if (!m.hasInf) sample(bucket, m.labels, ["le", "+Inf"], m.count);
    } else if (type === "summary") {
      for (const [q, v] of m.parts) sample(name, m.labels, ["quantile", formatValue(q)], v);
    }
    if (type === "histogram" || type === "summary") {
      sample(sum, m.labels, undefined, m.sum);
      sample(count, m.labels, undefined, m.count);
    } else sample(name, m.labels, undefined, m.value);
  }
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
