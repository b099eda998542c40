/**
 * One grouping key's state as the store holds it, and as the status page and JSON API list it.
 */
import type { StoredFamily } from "./families.ts";
import { groupingKey, pushPathFor, type GroupLabels } from "./grouping-key.ts";
import { groupSeriesLabels } from "./grouping.ts";

/** One grouping key's state. Replaced as a whole on every change, never mutated in place. */
export interface Group {
  /** Grouping key (see groupingKey()). */
  readonly key: string;
  readonly labels: GroupLabels;
  /** `{...}` of the grouping labels plus `instance`, for the push-time series. */
  readonly seriesLabels: string;
  readonly families: ReadonlyMap<string, StoredFamily>;
  /** Unix seconds of the last successful push; 0 if none. */
  readonly pushTime: number;
  /** Unix seconds of the last failed push; 0 if none. */
  readonly failTime: number;
  readonly failReason: string | undefined;
  /** Unix ms when the group first appeared. */
  readonly createdAt: number;
  /** Seconds; 0: kept until deleted. */
  readonly ttl: number;
  /** Unix ms; 0: never. */
  readonly expiresAt: number;
}

/** A group that has seen no push yet, first seen at `at` (Unix ms). */
export function emptyGroup(labels: GroupLabels, at: number): Group {
  return {
    key: groupingKey(labels),
    labels,
    seriesLabels: groupSeriesLabels(labels),
    families: new Map(),
    pushTime: 0,
    failTime: 0,
    failReason: undefined,
    createdAt: at,
    ttl: 0,
    expiresAt: 0,
  };
}

/** One group as the status page and JSON API list it. */
export interface GroupSummary {
  labels: GroupLabels;
  /** The push path that addresses this group (for DELETE). */
  path: string;
  /** Unix seconds; 0 if never. */
  lastPush: number;
  lastFailure: number;
  lastFailureReason: string | undefined;
  lastPushSuccessful: boolean;
  /** Seconds until expiry; undefined if the group does not expire. */
  ttlLeft: number | undefined;
  series: number;
  families: number;
}

/** Unix ms when a group pushed at `at` with this TTL (seconds) expires; 0: never. */
export function expiryOf(ttl: number, at: number): number {
  return ttl > 0 ? at + ttl * 1000 : 0;
}

function summarize(g: Group, now: number): GroupSummary {
  let series = 0;
  for (const f of g.families.values()) series += f.series;
  return {
    labels: g.labels,
    path: pushPathFor(g.labels),
    lastPush: g.pushTime,
    lastFailure: g.failTime,
    lastFailureReason: g.failReason,
    lastPushSuccessful: g.pushTime >= g.failTime,
    ttlLeft: g.expiresAt > 0 ? Math.max(0, (g.expiresAt - now) / 1000) : undefined,
    series,
    families: g.families.size,
  };
}

/** Every group's summary, in path order. */
export function summaries(groups: Iterable<Group>, now: number): GroupSummary[] {
  const out: GroupSummary[] = [];
  for (const g of groups) out.push(summarize(g, now));
  return out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
