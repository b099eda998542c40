/**
 * The collector contract, after node_exporter's registry: each collector file defines a name, whether it is on
 * by default, the flags it owns, and a factory. The registry creates one instance per enabled collector at
 * start-up and keeps it; whatever a collector remembers between scrapes lives on that instance.
 */
import type { FlagSet, FlagValues, Logger, MetricSet } from "@agent/core";

export interface NodePaths {
  /** --path.procfs, default /proc */
  procfs: string;
  /** --path.sysfs, default /sys */
  sysfs: string;
  /** --path.rootfs, default / */
  rootfs: string;
  /** --path.udev.data, default /run/udev/data */
  udevData: string;
}

/**
 * Work done at most once per scrape and shared by the collectors that need it (netdev and netclass read one
 * netlink dump, cpu and stat one /proc/stat). A new memo per scrape, so no collector ever sees an earlier
 * scrape's data.
 */
export class ScrapeMemo {
  private readonly values = new Map<unknown, unknown>();

  /** `compute()`'s value, computed once per `key`: the function itself, or what it reads (a path) when it is a fresh closure. */
  once<T>(compute: () => T, key: unknown = compute): T {
    if (!this.values.has(key)) this.values.set(key, compute());
    return this.values.get(key) as T;
  }
}

/** What a collector is created with, once, when the role starts. */
export interface CreateContext<C = unknown> {
  paths: NodePaths;
  /** This collector's own flags, parsed. */
  config: C;
  log: Logger;
  /** Whether the collector of that name is enabled (node_exporter's collectorState, which cpu reads for cpufreq). */
  isEnabled(name: string): boolean;
}

/** What one scrape hands each collector. */
export interface ScrapeContext {
  /** Aborted when the collector overruns --collector.timeout; long work should give up when it fires. */
  signal: AbortSignal;
  /**
   * performance.now() by which the registry abandons this collector (--collector.timeout); work with its own
   * timeouts (statfs on a hung mount) should finish before it. Absent when nothing bounds the call.
   */
  deadline?: number;
  /** Shared by the collectors of this scrape only. */
  scrape: ScrapeMemo;
}

/** One running collector: what `create` returns and the registry keeps. */
export interface CollectorInstance {
  /**
   * Adds this collector's families to `out`. Where this host lacks the source (no such /proc or /sys file), do
   * what node_exporter 1.8.2 does: emit nothing and return, throw NoDataError where it returns ErrNoData, or
   * throw where it fails (a file it requires); its scrape then says success 0. Otherwise throw only for real
   * failures.
   */
  collect(out: MetricSet, ctx: ScrapeContext): Promise<void> | void;
}

export interface Collector<F extends FlagSet = FlagSet> {
  /** As node_exporter names it: the word in --collector.<name> and in node_scrape_collector_*{collector}. */
  readonly name: string;
  readonly defaultEnabled: boolean;
  /** Flags this collector owns, named as node_exporter names them (e.g. collector.filesystem.fs-types-exclude). */
  readonly flags?: F;
  /** Called once per enabled collector at start-up; cheap, and never reads the host (the first scrape does). */
  create(ctx: CreateContext<FlagValues<F>>): CollectorInstance;
}

/**
 * node_exporter's ErrNoData: this host lacks the collector's source. The scrape reports success 0 for it, as
 * node_exporter does, but logs it at debug, not as a failure.
 */
export class NoDataError extends Error {
  constructor(source: string) {
    super(`collector returned no data: ${source} not found`);
  }
}

export function defineCollector<F extends FlagSet = FlagSet>(c: Collector<F>): Collector<F> {
  return c;
}
