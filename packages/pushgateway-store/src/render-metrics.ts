/**
 * A group's metrics as sample lines, as Pushgateway renders them: histogram buckets with the `+Inf` one,
 * summary quantiles, then `_sum` and `_count`, every number in Go's shortest form.
 */
import { formatValue, renderHeader, renderLabelPairs, renderSeries, type MetricType } from "@agent/core";
import { PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, PUSH_TIME, PUSH_TIME_HELP, type GroupedMetric, type StoredFamily } from "./families.ts";
import type { Group } from "./group.ts";

function line(name: string, labels: string, value: number): string {
  return renderSeries(name, labels) + " " + formatValue(value) + "\n";
}

/**
 * Sample lines for metrics of one family, in Go's text exposition order. Lines are joined from an array:
 * JSC keeps a string built by += as a tree of its pieces, which every scrape that joins the families would
 * walk again; join() gives one flat string.
 */
export function renderMetrics(name: string, type: MetricType, metrics: readonly GroupedMetric[]): string {
  const lines: string[] = [];
  for (const m of metrics) {
    if (type === "histogram") {
      for (const [le, c] of m.parts) lines.push(line(name + "_bucket", renderLabelPairs(m.labels, ["le", formatValue(le)]), c));
      if (!m.hasInf) lines.push(line(name + "_bucket", renderLabelPairs(m.labels, ["le", "+Inf"]), m.count));
    } else if (type === "summary") {
      for (const [q, v] of m.parts) lines.push(line(name, renderLabelPairs(m.labels, ["quantile", formatValue(q)]), v));
    }
    const ls = renderLabelPairs(m.labels);
    if (type === "histogram" || type === "summary") lines.push(line(name + "_sum", ls, m.sum), line(name + "_count", ls, m.count));
    else lines.push(line(name, ls, m.value));
  }
  return lines.join("");
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
