/**
 * Pushgateway's JSON API (`/api/v1/metrics`, `/api/v1/status`) in its shape: numbers as strings as Go's
 * fmt.Sprint writes them, object keys in Go's (sorted) order. Built from the stored text on request, so
 * the store keeps one representation only.
 */
import { formatValue, parseText, partLabelOf, renderHeader, type AgentInfo, type MetricType } from "@agent/core";
import {
  groupMetrics,
  PUSH_FAILURE_TIME,
  PUSH_FAILURE_TIME_HELP,
  PUSH_TIME,
  PUSH_TIME_HELP,
  timestampLine,
  type StoredFamily,
} from "./families.ts";
import type { Group } from "./memory-index.ts";

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

function familyJson(name: string, type: MetricType, help: string | undefined, text: string, at: number): Json {
  // Stored text may quote UTF-8 names (--push.enable-utf8-names); the JSON shows them as stored.
  const [family] = parseText(renderHeader(name, type, help) + text, "utf8");
  const drop = partLabelOf(type);
  const metrics = family
    ? groupMetrics(family, (s) => Object.entries(s.labels).filter(([k]) => k !== drop)).map((m): Json => {
        const labels = sortedObject(m.labels);
        if (type === "histogram") {
          return {
            buckets: sortedObject(m.parts.map(([le, c]) => [formatValue(le), String(c)])),
            count: String(m.count),
            labels,
            sum: formatValue(m.sum),
          };
        }
        if (type === "summary") {
          return {
            count: String(m.count),
            labels,
            quantiles: sortedObject(m.parts.map(([q, v]) => [formatValue(q), formatValue(v)])),
            sum: formatValue(m.sum),
          };
        }
        return { labels, value: formatValue(m.value) };
      })
    : [];
  const out: { [k: string]: Json } = { time_stamp: goTime(at), type: type.toUpperCase() };
  if (help) out.help = help;
  out.metrics = metrics;
  return out;
}

function timestampJson(g: Group, name: string, help: string, seconds: number): Json {
  return familyJson(name, "gauge", help, timestampLine(name, g.seriesLabels, seconds), seconds > 0 ? seconds * 1000 : g.createdAt);
}

function groupJson(g: Group): Json {
  const entries: [string, Json][] = [
    ["labels", sortedObject(Object.entries(g.labels))],
    ["last_push_successful", g.pushTime >= g.failTime],
    [PUSH_TIME, timestampJson(g, PUSH_TIME, PUSH_TIME_HELP, g.pushTime)],
    [PUSH_FAILURE_TIME, timestampJson(g, PUSH_FAILURE_TIME, PUSH_FAILURE_TIME_HELP, g.failTime)],
  ];
  for (const f of g.families.values() as IterableIterator<StoredFamily>) entries.push([f.name, familyJson(f.name, f.type, f.help, f.text, f.at)]);
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
