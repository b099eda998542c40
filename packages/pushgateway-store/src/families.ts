/**
 * What a group stores: its families as values (Pushgateway metrics with the grouping labels applied), each
 * with its sample lines rendered once (with the push, or on first need for a family read from storage) and
 * kept, since a scrape of thousands of groups must be a concatenation. A metric's identity is
 * seriesIdentity() of its family name and label pairs.
 */
import { partLabelOf, seriesIdentity, type MetricType, type SampleVisitor } from "@agent/core";
import { forEachColumnSample, renderMetrics } from "./render-metrics.ts";

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
}

/** Whether a histogram metric's buckets include `+Inf` (a push may leave it out; the text adds it then). */
export function hasInfBucket(m: GroupedMetric): boolean {
  return m.parts.some(([le]) => le === Infinity);
}

/** The parts of a sample that is no histogram or summary: one shared array, never written to. */
export const NO_PARTS: [number, number][] = Object.freeze([]) as unknown as [number, number][];

/**
 * Rows of any length as one flat array and where each row starts: a number (every row's length) when all rows
 * are that long, else each row's offset and the end offset.
 */
export interface Ragged<T> {
  flat: T[];
  starts: number | number[];
}

export function ragged<T>(rows: readonly (readonly T[])[]): Ragged<T> {
  const stride = rows[0]?.length ?? 0;
  const uniform = rows.every((r) => r.length === stride);
  const starts = [0];
  for (const r of rows) starts.push(starts[starts.length - 1]! + r.length);
  // Sized once: an array grown by push() keeps spare capacity.
  const flat = new Array<T>(starts[rows.length]!);
  rows.forEach((r, i) => r.forEach((x, j) => (flat[starts[i]! + j] = x)));
  return { flat, starts: uniform ? stride : starts };
}

/** Where row `i` starts in `r.flat`; row `i` ends where row `i + 1` starts. */
export function rowStart(r: Ragged<unknown>, i: number): number {
  return typeof r.starts === "number" ? i * r.starts : r.starts[i]!;
}

function row<T>(r: Ragged<T>, i: number): T[] {
  return r.flat.slice(rowStart(r, i), rowStart(r, i + 1));
}

/**
 * A family's metrics in columns: every metric's label pairs, its numbers (a sample's value, or a histogram's
 * or summary's sum and count, two per metric) and a histogram's or summary's parts (flat `[bound, value, ...]`).
 */
export interface FamilyColumns {
  labels: Ragged<string>;
  numbers: number[];
  /** Histograms and summaries only. */
  parts?: Ragged<number>;
}

/** Metrics held; a histogram or summary counts once. */
export function seriesOf(c: FamilyColumns): number {
  return c.parts === undefined ? c.numbers.length : c.numbers.length / 2;
}

/** The columns of these metrics of a family of type `type`. */
export function columnsOf(type: MetricType, metrics: readonly GroupedMetric[]): FamilyColumns {
  const labels = ragged(metrics.map((m) => m.labels));
  if (partLabelOf(type) === undefined) return { labels, numbers: metrics.map((m) => m.value) };
  return { labels, numbers: metrics.flatMap((m) => [m.sum, m.count]), parts: ragged(metrics.map((m) => m.parts.flat())) };
}

/**
 * One family as a group holds it, in columns rather than an object per metric, so that a store of many
 * groups holds a handful of allocations per family instead of several per series.
 */
export class StoredFamily {
  constructor(
    readonly name: string,
    readonly type: MetricType,
    /** Undefined when the push had no HELP for it. */
    readonly help: string | undefined,
    /** Metrics in Go's text exposition order. */
    private readonly columns: FamilyColumns,
    /** Unix ms of the push that stored it. */
    readonly at: number,
    /** Its sample lines when rendered already; else rendered on first need. */
    private rendered?: string,
  ) {}

  /** Metrics held; a histogram or summary counts once. */
  get series(): number {
    return seriesOf(this.columns);
  }

  /** Metric `i`'s label pairs, name-sorted and flat. */
  labelsOf(i: number): string[] {
    return row(this.columns.labels, i);
  }

  /**
   * Swaps each label string equal to the one at the same place in `other` for that one, so that groups pushing
   * the same label values hold one copy of each: a parsed push's strings are new ones every time.
   */
  shareLabels(other: StoredFamily): void {
    const mine = this.columns.labels.flat;
    const theirs = other.columns.labels.flat;
    for (let j = Math.min(mine.length, theirs.length) - 1; j >= 0; j--) if (mine[j] === theirs[j]) mine[j] = theirs[j]!;
  }

  /** Metric `i` as a value of its own (built on each call: the family keeps columns). */
  metric(i: number): GroupedMetric {
    const labels = this.labelsOf(i);
    const { numbers, parts: partColumn } = this.columns;
    if (partColumn === undefined) return { labels, value: numbers[i]!, parts: NO_PARTS, sum: 0, count: 0 };
    const flat = row(partColumn, i);
    const parts: [number, number][] = [];
    for (let p = 0; p + 1 < flat.length; p += 2) parts.push([flat[p]!, flat[p + 1]!]);
    return { labels, value: 0, parts, sum: numbers[2 * i]!, count: numbers[2 * i + 1]! };
  }

  /** Every metric, in Go's text exposition order. */
  get metrics(): GroupedMetric[] {
    return Array.from({ length: this.series }, (_, i) => this.metric(i));
  }

  /** Sample lines, each ending in LF; no HELP/TYPE header. */
  get text(): string {
    return this.renderLines();
  }

  /** Renders the sample lines unless done already; a family read from storage has none until then. */
  renderLines(): string {
    this.rendered ??= renderMetrics(this.name, this.type, this.columns);
    return this.rendered;
  }

  /** Every sample its lines hold, in their order, read from the columns. */
  forEachSample(visit: SampleVisitor): void {
    const pairs = this.columns.labels.flat;
    forEachColumnSample(this.name, this.type, this.columns, (series, from, to, extra, value) => {
      const labels = pairs.slice(from, to);
      if (extra !== undefined) labels.push(extra[0], extra[1]);
      visit(series, labels, value);
    });
  }

  /** Whether a metric with this identity (see seriesIdentity()) is among this family's. */
  holds(identity: string): boolean {
    for (let i = 0; i < this.series; i++) if (seriesIdentity(this.name, this.labelsOf(i)) === identity) return true;
    return false;
  }

  identities(): string[] {
    return Array.from({ length: this.series }, (_, i) => seriesIdentity(this.name, this.labelsOf(i)));
  }
}

/** A family about to be stored, with each metric's identity for the consistency check. */
export interface PreparedFamily {
  readonly family: StoredFamily;
  readonly identities: readonly string[];
}
