/**
 * The node role's flags and scrape loop, after node_exporter's registry: one `--collector.<name>` toggle per
 * collector plus the flags each collector owns, and per scrape every enabled collector runs concurrently under
 * --collector.timeout, each into its own MetricSet so that an abandoned one leaves nothing half-written.
 */
import { ConfigError, flag, MetricSet, ScrapeQueryError, type FlagSet, type FlagSpec, type Logger } from "@agent/core";
import { NoDataError, ScrapeMemo, type CollectContext, type Collector, type NodePaths } from "./collector.ts";

/**
 * An enable toggle. Unset it holds the collector's default as 0 or 1 (so --help shows on/off), set it holds
 * a boolean: --collector.disable-defaults must tell an explicit --collector.cpu from the default.
 */
export type Toggle = boolean | 0 | 1;

function toggleFlag(name: string, def: boolean): FlagSpec<Toggle> {
  const base = flag.bool(name, def, `Enable the ${name.slice("collector.".length)} collector.`);
  return { ...base, default: def ? 1 : 0, parse: (raw) => base.parse(raw) };
}

export const roleFlags = {
  "path.procfs": flag.string("path.procfs", "/proc", "procfs mountpoint."),
  "path.sysfs": flag.string("path.sysfs", "/sys", "sysfs mountpoint."),
  "path.rootfs": flag.string("path.rootfs", "/", "rootfs mountpoint."),
  "path.udev.data": flag.string("path.udev.data", "/run/udev/data", "udev data path."),
  "collector.disable-defaults": flag.bool(
    "collector.disable-defaults",
    false,
    "Set all collectors to disabled by default; enable them one by one with --collector.<name>.",
  ),
  "collector.timeout": flag.duration(
    "collector.timeout",
    5,
    "A collector still running after this long is abandoned for that scrape and reported with success 0.",
  ),
} as const;

/** Every flag of the node role: the frame flags above, one toggle per collector, and each collector's own. */
export function nodeFlags(collectors: readonly Collector[]): FlagSet {
  const out: Record<string, FlagSpec<unknown>> = { ...roleFlags };
  for (const c of collectors) {
    const name = `collector.${c.name}`;
    if (out[name]) throw new Error(`collector ${c.name} is registered twice`);
    out[name] = toggleFlag(name, c.defaultEnabled);
    for (const spec of Object.values(c.flags ?? {})) {
      if (out[spec.name]) throw new Error(`flag --${spec.name} of collector ${c.name} is declared twice`);
      out[spec.name] = spec;
    }
  }
  return out;
}

export function pathsFrom(values: Record<string, unknown>): NodePaths {
  const str = (k: string) => String(values[k] ?? (roleFlags as Record<string, FlagSpec<unknown>>)[k]!.default);
  return {
    procfs: str("path.procfs").replace(/\/+$/, "") || "/",
    sysfs: str("path.sysfs").replace(/\/+$/, "") || "/",
    rootfs: str("path.rootfs"),
    udevData: str("path.udev.data").replace(/\/+$/, ""),
  };
}

export interface Enabled {
  collector: Collector;
  config: Record<string, unknown>;
}

export interface ScrapeResult {
  name: string;
  success: boolean;
  seconds: number;
}

/**
 * A full garbage collection once scrapes pause this long. A scrape leaves ~0.5 MB of short-lived strings;
 * left to its own heuristics JSC lets the heap grow to ~40 MB before collecting, which shows as RSS (110 MiB
 * after a few hundred scrapes). A full collection costs 10-13 ms of CPU, more than a spaced scrape itself
 * (8-10 ms), so it runs in the quiet after a scrape rather than during a burst, and at most once per
 * GC_MIN_INTERVAL_MS: a host scraped every 15 s pays for one every 4th scrape, and the heap holds at most
 * four scrapes' garbage (~2 MB) between them.
 */
const GC_AFTER_IDLE_MS = 1000;
const GC_MIN_INTERVAL_MS = 60_000;

export class NodeRegistry {
  readonly enabled: readonly Enabled[];
  /** Every collector's name, enabled or not, to tell a disabled one from an unknown one in collect[]. */
  private readonly known: ReadonlySet<string>;
  private gcTimer: ReturnType<typeof setTimeout> | undefined;
  private lastGc = -Infinity;
  readonly paths: NodePaths;
  private readonly timeoutMs: number;
  /** Told of every finished scrape, before render() takes its families apart. */
  private readonly observers: ((sets: readonly MetricSet[], results: readonly ScrapeResult[]) => void)[] = [];

  constructor(
    collectors: readonly Collector[],
    values: Record<string, unknown>,
    private readonly log: Logger,
  ) {
    this.known = new Set(collectors.map((c) => c.name));
    const disableDefaults = values["collector.disable-defaults"] === true;
    const enabled: Enabled[] = [];
    for (const c of collectors) {
      const t = values[`collector.${c.name}`] as Toggle | undefined;
      const on = typeof t === "boolean" ? t : disableDefaults ? false : t === undefined ? c.defaultEnabled : t === 1;
      if (!on) continue;
      const config: Record<string, unknown> = {};
      for (const [key, spec] of Object.entries(c.flags ?? {})) config[key] = spec.name in values ? values[spec.name] : spec.default;
      enabled.push({ collector: c, config });
    }
    // textfile last, so that a textfile family clashing with a collector's is the one dropped.
    this.enabled = [...enabled.filter((e) => e.collector.name !== "textfile"), ...enabled.filter((e) => e.collector.name === "textfile")];
    this.paths = pathsFrom(values);
    const timeout = Number(values["collector.timeout"] ?? 5);
    if (!(timeout > 0)) throw new ConfigError("--collector.timeout: must be greater than 0");
    this.timeoutMs = timeout * 1000;
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
   * Runs every enabled collector once (or those `only` names); returns each collector's families (textfile's last) and its outcome.
   * Synchronous collectors (most: procfs reads) finish inline with no promise or timer; asynchronous ones
   * race one shared deadline, which aborts them all together.
   */
  async scrape(only?: readonly Enabled[]): Promise<{ sets: MetricSet[]; results: ScrapeResult[] }> {
    const enabled = only ?? this.enabled;
    const abort = new AbortController();
    const memo = new ScrapeMemo();
    const started = performance.now();
    const deadline = started + this.timeoutMs;
    const n = enabled.length;
    const sets: MetricSet[] = new Array(n);
    const results: ScrapeResult[] = new Array(n);
    let timer: ReturnType<typeof setTimeout> | undefined;
    let timedOut: Promise<"timeout"> | undefined;
    const waits: Promise<void>[] = [];
    const finish = (i: number, set: MetricSet, start: number, error: unknown) => {
      const { name } = enabled[i]!.collector;
      const seconds = (performance.now() - start) / 1000;
      let success = error === undefined;
      // What a collector without data sent before saying so stays, as node_exporter keeps it.
      let keep = success || error instanceof NoDataError;
      if (error instanceof NoDataError) this.log.debug("collector returned no data", { collector: name, err: error.message });
      else if (!success) this.log.error("collector failed", { collector: name, err: (error as Error)?.message ?? String(error) });
      else if (seconds * 1000 > this.timeoutMs) success = keep = false; // a synchronous collector that overran
      sets[i] = keep ? set : new MetricSet();
      results[i] = { name, success, seconds };
    };
    for (let i = 0; i < n; i++) {
      const { collector, config } = enabled[i]!;
      const set = new MetricSet();
      const start = performance.now();
      const ctx: CollectContext<Record<string, unknown>> = { paths: this.paths, config, log: this.log, signal: abort.signal, deadline, scrape: memo };
      let pending: Promise<void> | void;
      try {
        pending = collector.collect(set, ctx);
      } catch (e) {
        finish(i, set, start, e ?? new Error("collector threw"));
        continue;
      }
      if (!(pending instanceof Promise)) {
        finish(i, set, start, undefined);
        continue;
      }
      timedOut ??= new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => {
          abort.abort();
          resolve("timeout");
        }, Math.max(0, deadline - performance.now()));
      });
      const work = pending;
      waits.push(
        Promise.race([work.then(() => "done" as const), timedOut]).then(
          (r) => {
            if (r === "done") return finish(i, set, start, undefined);
            work.catch(() => {}); // it may still settle after being abandoned
            finish(i, set, start, new Error(`timed out after ${this.timeoutMs / 1000}s`));
          },
          (e) => finish(i, set, start, e ?? new Error("collector rejected")),
        ),
      );
    }
    if (waits.length) await Promise.all(waits);
    if (timer) clearTimeout(timer);
    // A filtered scrape is not the host's whole picture: observers (the page's history) skip it.
    if (!only) for (const o of this.observers) o(sets, results);
    return { sets, results };
  }

  /** Calls `observer` with each scrape's families and outcomes (the page's history reuses them). */
  observe(observer: (sets: readonly MetricSet[], results: readonly ScrapeResult[]) => void): void {
    this.observers.push(observer);
  }

  private collectGarbageWhenIdle(): void {
    if (this.gcTimer) clearTimeout(this.gcTimer);
    const wait = Math.max(GC_AFTER_IDLE_MS, this.lastGc + GC_MIN_INTERVAL_MS - performance.now());
    this.gcTimer = setTimeout(() => {
      this.gcTimer = undefined;
      this.lastGc = performance.now();
      Bun.gc(true);
    }, wait);
    this.gcTimer.unref();
  }

  /**
   * One scrape as exposition text: the collectors' families plus the node_scrape_collector_* pair, merged
   * with `own` (the frame's process metrics). A family name that a later set repeats (a textfile clashing
   * with a collector) is dropped from that set and logged, so no family appears twice.
   */
  async render(own: MetricSet, only?: readonly Enabled[]): Promise<string> {
    const { sets, results } = await this.scrape(only);
    const scrape = new MetricSet();
    const dur = scrape.family("node_scrape_collector_duration_seconds", "gauge", "node_exporter: Duration of a collector scrape.");
    const ok = scrape.family("node_scrape_collector_success", "gauge", "node_exporter: Whether a collector succeeded.");
    for (const r of results) {
      dur.add(r.seconds, { collector: r.name });
      ok.add(r.success ? 1 : 0, { collector: r.name });
    }
    const blocks: [string, string][] = [];
    const seen = new Set<string>();
    const drain = (set: MetricSet, source: string) => {
      for (const name of [...set.names()]) {
        const fam = set.take(name)!;
        if (seen.has(name)) {
          this.log.warn("family already collected, skipped", { family: name, source });
          continue;
        }
        seen.add(name);
        blocks.push([name, fam.render()]);
      }
    };
    drain(own, "agent");
    drain(scrape, "registry");
    sets.forEach((s, i) => drain(s, results[i]!.name));
    blocks.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    let out = "";
    for (const b of blocks) out += b[1];
    this.collectGarbageWhenIdle();
    return out;
  }
}
