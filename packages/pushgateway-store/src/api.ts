/**
 * Pushgateway's JSON API (`/api/v1/metrics`, `/api/v1/status`) in its shape: numbers as strings as Go's
 * fmt.Sprint writes them, object keys in Go's (sorted) order. Built on request from the values the store
 * holds.
 */
import { formatValue, type AgentInfo, type MetricType } from "@agent/core";
import { hasInfBucket, NO_PARTS, PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, PUSH_TIME, PUSH_TIME_HELP, type GroupedMetric, type StoredFamily } from "./families.ts";
import { groupSeriesPairs } from "./grouping.ts";
import type { Group } from "./group.ts";

type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

/** Go's RFC3339Nano: fraction without trailing zeros. */
function goTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, "Z");
}

function sortedObject(entries: [string, Json][]): { [k: string]: Json } {
  const out: { [k: string]: Json } = {};
  for (const [k, v] of entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) out[k] = v;
  return out;
}

function metricJson(type: MetricType, m: GroupedMetric): Json {
  const labels: { [k: string]: Json } = {};
  // Flat pairs, already in Go's (sorted) order.
  for (let i = 0; i + 1 < m.labels.length; i += 2) labels[m.labels[i]!] = m.labels[i + 1]!;
  if (type === "histogram") {
    // As served in the text format: the `+Inf` bucket is there even when the push left it out.
    const buckets = hasInfBucket(m) ? m.parts : [...m.parts, [Infinity, m.count] as [number, number]];
    return { buckets: sortedObject(buckets.map(([le, c]) => [formatValue(le), String(c)])), count: String(m.count), labels, sum: formatValue(m.sum) };
  }
  if (type === "summary") {
    return { count: String(m.count), labels, quantiles: sortedObject(m.parts.map(([q, v]) => [formatValue(q), formatValue(v)])), sum: formatValue(m.sum) };
  }
  return { labels, value: formatValue(m.value) };
}

type FamilyValues = Pick<StoredFamily, "type" | "help" | "metrics" | "at">;

function familyJson(f: FamilyValues): Json {
  const out: { [k: string]: Json } = { time_stamp: goTime(f.at), type: f.type.toUpperCase() };
  if (f.help) out.help = f.help;
  out.metrics = f.metrics.map((m) => metricJson(f.type, m));
  return out;
}

function timestampJson(g: Group, help: string, seconds: number): Json {
  const metric: GroupedMetric = { labels: groupSeriesPairs(g.labels), value: seconds, parts: NO_PARTS, sum: 0, count: 0 };
  return familyJson({ type: "gauge", help, metrics: [metric], at: seconds > 0 ? seconds * 1000 : g.createdAt });
}

function groupJson(g: Group): Json {
  const entries: [string, Json][] = [
    ["labels", sortedObject(Object.entries(g.labels))],
    ["last_push_successful", g.pushTime >= g.failTime],
    [PUSH_TIME, timestampJson(g, PUSH_TIME_HELP, g.pushTime)],
    [PUSH_FAILURE_TIME, timestampJson(g, PUSH_FAILURE_TIME_HELP, g.failTime)],
  ];
  for (const f of g.families.values()) entries.push([f.name, familyJson(f)]);
  return sortedObject(entries);
}

export function metricsResponse(groups: readonly Group[]): Json {
  return { status: "success", data: groups.map(groupJson) };
}

export function statusResponse(agent: AgentInfo, flags: Record<string, string>): Json {
  return {
    status: "success",
    data: {
      flags: sortedObject(Object.entries(flags)),
      start_time: goTime(agent.startTime * 1000),
      build_information: { version: agent.version, revision: agent.revision, bunVersion: agent.bunVersion },
    },
  };
}
