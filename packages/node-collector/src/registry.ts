/**
 * The node role's registry, after node_exporter's: one instance per enabled collector, created at start-up
 * and kept, the collect[]/exclude[] filter of a scrape, and the merge of one scrape into exposition text.
 */
import { ConfigError, IdleGc, MetricSet, ScrapeQueryError, type Logger } from "@agent/core";
import type { Collector, NodePaths } from "./collector.ts";
import { collectorConfig, isEnabled, pathsFrom, type NodeValues } from "./flags.ts";
import { scrapeOnce, type Enabled, type Scraped, type ScrapeResult } from "./scrape.ts";

export type { Enabled, ScrapeResult } from "./scrape.ts";

export class NodeRegistry {
  readonly enabled: readonly Enabled[];
  /** Every collector's name, enabled or not, to tell a disabled one from an unknown one in collect[]. */
  private readonly known: ReadonlySet<string>;
  private readonly gc = new IdleGc();
  readonly paths: NodePaths;
  private readonly timeoutMs: number;
  /** Told of every finished scrape, before collect() takes its families apart. */
  private readonly observers: ((sets: readonly MetricSet[], results: readonly ScrapeResult[]) => void)[] = [];

  constructor(
    collectors: readonly Collector[],
    values: NodeValues,
    private readonly log: Logger,
  ) {
    this.known = new Set(collectors.map((c) => c.name));
    const timeout = values.collectorTimeout;
    if (!(timeout > 0)) throw new ConfigError("--collector.timeout: must be greater than 0");
    this.timeoutMs = timeout * 1000;
    this.paths = pathsFrom(values);
    // textfile last, so that a textfile family clashing with a collector's is the one dropped.
    const on = collectors.filter((c) => isEnabled(c, values));
    const ordered = [...on.filter((c) => c.name !== "textfile"), ...on.filter((c) => c.name === "textfile")];
    const enabledNames = new Set(on.map((c) => c.name));
    this.enabled = ordered.map((collector) => ({
      collector,
      instance: collector.create({ paths: this.paths, config: collectorConfig(collector, values), log, isEnabled: (name) => enabledNames.has(name) }),
    }));
  }

  /**
   * The collectors one scrape asks for, as node_exporter's handler reads its query: collect[]=<name> keeps
   * only the named ones (1.8.2; an unknown or disabled name is refused), exclude[]=<name> leaves names out
   * (1.9; unknown names are ignored), and the two together are refused. Undefined when no filter is given.
   */
  select(query: URLSearchParams): readonly Enabled[] | undefined {
    const collect = query.getAll("collect[]");
    const exclude = query.getAll("exclude[]");
    if (collect.length > 0 && exclude.length > 0) throw new ScrapeQueryError("Combined collect and exclude queries are not allowed.");
    if (exclude.length > 0) return this.enabled.filter((e) => !exclude.includes(e.collector.name));
    if (collect.length === 0) return undefined;
    for (const name of collect) {
      if (this.enabled.some((e) => e.collector.name === name)) continue;
      const why = this.known.has(name) ? "disabled collector" : "missing collector";
      throw new ScrapeQueryError(`Couldn't create filtered metrics handler: ${why}: ${name}`);
    }
    return this.enabled.filter((e) => collect.includes(e.collector.name));
  }

  /**
   * Runs every enabled collector once (or only those given, logging to `log` if given); returns each
   * collector's families (textfile's last) and its outcome. A filtered scrape is not the host's whole picture:
   * observers (the page's history) are told only of full ones.
   */
  async scrape(only?: readonly Enabled[], log: Logger = this.log): Promise<Scraped> {
    const scraped = await scrapeOnce(only ?? this.enabled, this.timeoutMs, log);
    if (!only) for (const o of this.observers) o(scraped.sets, scraped.results);
    return scraped;
  }

  /** Calls `observer` with each scrape's families and outcomes (the page's history reuses them). */
  observe(observer: (sets: readonly MetricSet[], results: readonly ScrapeResult[]) => void): void {
    this.observers.push(observer);
  }

  /**
   * One scrape as one set: the collectors' families plus the node_scrape_collector_* pair, merged into `own`
   * (the frame's process metrics). A family name that a later set repeats (a textfile clashing with a
   * collector) is dropped from that set and logged, so no family appears twice.
   */
  async collect(own: MetricSet, only?: readonly Enabled[]): Promise<MetricSet> {
    const { sets, results } = await this.scrape(only);
    const drain = (set: MetricSet, source: string) => {
      for (const name of [...set.names()]) {
        if (!own.adopt(set.take(name)!)) this.log.warn("family already collected, skipped", { family: name, source });
      }
    };
    drain(outcomeFamilies(results), "registry");
    sets.forEach((s, i) => drain(s, results[i]!.name));
    this.gc.afterScrape();
    return own;
  }
}

/** node_exporter's node_scrape_collector_duration_seconds and node_scrape_collector_success. */
function outcomeFamilies(results: readonly ScrapeResult[]): MetricSet {
  const set = new MetricSet();
  const dur = set.family("node_scrape_collector_duration_seconds", "gauge", "node_exporter: Duration of a collector scrape.");
  const ok = set.family("node_scrape_collector_success", "gauge", "node_exporter: Whether a collector succeeded.");
  for (const r of results) {
    dur.add(r.seconds, { collector: r.name });
    ok.add(r.success ? 1 : 0, { collector: r.name });
  }
  return set;
}
