/**
 * One scrape of a set of collector instances: every one runs concurrently under --collector.timeout, each into
 * its own MetricSet, so that an abandoned or failed one leaves nothing half-written.
 */
import { MetricSet, type Logger } from "@agent/core";
import { NoDataError, ScrapeMemo, type Collector, type CollectorInstance } from "./collector.ts";

/** An enabled collector and the instance the registry created for it. */
export interface Enabled {
  collector: Collector;
  instance: CollectorInstance;
}

export interface ScrapeResult {
  name: string;
  success: boolean;
  seconds: number;
}

export interface Scraped {
  sets: MetricSet[];
  results: ScrapeResult[];
}

/**
 * Runs each of `enabled` once; returns each one's families and outcome, in the order given. Synchronous
 * collectors (most: procfs reads) finish inline with no promise or timer; asynchronous ones race one shared
 * deadline, which aborts them all together.
 */
export async function scrapeOnce(enabled: readonly Enabled[], timeoutMs: number, log: Logger): Promise<Scraped> {
  const abort = new AbortController();
  const memo = new ScrapeMemo();
  const deadline = performance.now() + timeoutMs;
  const n = enabled.length;
  const sets: MetricSet[] = new Array(n);
  const results: ScrapeResult[] = new Array(n);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut: Promise<"timeout"> | undefined;
  const waits: Promise<void>[] = [];
  const finish = (i: number, set: MetricSet, start: number, error: unknown) => {
    const { name } = enabled[i]!.collector;
    const seconds = (performance.now() - start) / 1000;
    const outcome = judge(name, error, seconds * 1000 > timeoutMs, log);
    sets[i] = outcome.keep ? set : new MetricSet();
    results[i] = { name, success: outcome.success, seconds };
  };
  for (let i = 0; i < n; i++) {
    const set = new MetricSet();
    const start = performance.now();
    let pending: Promise<void> | void;
    try {
      pending = enabled[i]!.instance.collect(set, { signal: abort.signal, deadline, scrape: memo });
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
          finish(i, set, start, new Error(`timed out after ${timeoutMs / 1000}s`));
        },
        (e) => finish(i, set, start, e ?? new Error("collector rejected")),
      ),
    );
  }
  if (waits.length) await Promise.all(waits);
  if (timer) clearTimeout(timer);
  return { sets, results };
}

/**
 * Whether a finished collector succeeded and whether its families are served. What a collector without data
 * sent before saying so stays, as node_exporter keeps it; a synchronous collector that overran is dropped.
 */
function judge(name: string, error: unknown, overran: boolean, log: Logger): { success: boolean; keep: boolean } {
  if (error instanceof NoDataError) {
    log.debug("collector returned no data", { collector: name, err: error.message });
    return { success: false, keep: true };
  }
  if (error !== undefined) {
    log.error("collector failed", { collector: name, err: (error as Error)?.message ?? String(error) });
    return { success: false, keep: false };
  }
  return overran ? { success: false, keep: false } : { success: true, keep: true };
}
