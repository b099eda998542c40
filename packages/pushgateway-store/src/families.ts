/**
 * What a group stores: its families as values (Pushgateway metrics with the grouping labels applied), each
 * with its sample lines rendered once (with the push, or on first need for a family read from storage) and
 * kept, since a scrape of thousands of groups must be a concatenation. A metric's identity is
 * seriesIdentity() of its family name and label pairs.
 */
import { seriesIdentity, type MetricType } from "@agent/core";
import { renderMetrics } from "./render-metrics.ts";

export const PUSH_TIME = "push_time_seconds";
export const PUSH_FAILURE_TIME = "push_failure_time_seconds";
export const PUSH_TIME_HELP = "Last Unix time when changing this group in the Pushgateway succeeded.";
export const PUSH_FAILURE_TIME_HELP = "Last Unix time when changing this group in the Pushgateway failed.";

/** One Pushgateway metric: a sample, or a whole histogram or summary. */
export interface GroupedMetric {
  /** Label pairs sorted by name, flat (`[name, value, name, value, ...]`), without `le`/`quantile`. */
  labels: readonly string[];
  value: number;
  /** [upper bound, cumulative count] or [quantile, value], in input order. */
  parts: [number, number][];
  sum: number;
  count: number;
  hasInf: boolean;
}

/** The parts of a sample that is no histogram or summary: one shared array, never written to. */
export const NO_PARTS: [number, number][] = Object.freeze([]) as unknown as [number, number][];

/** One family as a group holds it. */
export class StoredFamily {
  constructor(
    readonly name: string,
    readonly type: MetricType,
    /** Undefined when the push had no HELP for it. */
    readonly help: string | undefined,
    /** In Go's text exposition order. */
    readonly metrics: readonly GroupedMetric[],
    /** Unix ms of the push that stored it. */
    readonly at: number,
    /** Its sample lines when rendered already; else rendered on first need. */
    private rendered?: string,
  ) {}

  /** Metrics held; a histogram or summary counts once. */
  get series(): number {
    return this.metrics.length;
  }

  /** Sample lines, each ending in LF; no HELP/TYPE header. */
  get text(): string {
    this.rendered ??= renderMetrics(this.name, this.type, this.metrics);
    return this.rendered;
  }

  /** Whether a metric with this identity (see seriesIdentity()) is among this family's. */
  holds(identity: string): boolean {
    return this.metrics.some((m) => seriesIdentity(this.name, m.labels) === identity);
  }

  identities(): string[] {
    return this.metrics.map((m) => seriesIdentity(this.name, m.labels));
  }
}

/** A family about to be stored, with each metric's identity and its hash for the consistency check. */
export interface PreparedFamily {
  readonly family: StoredFamily;
  readonly identities: readonly string[];
  readonly hashes: readonly number[];
}

/** 53 bits from two seeded 32-bit hashes: exact in a double, and no BigInt per series on the load path. */
export function identityHash(identity: string): number {
  return Bun.hash.murmur32v3(identity, 0) * 2097152 + (Bun.hash.murmur32v3(identity, 0x9e3779b9) >>> 11);
}
