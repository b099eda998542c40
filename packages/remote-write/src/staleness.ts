/**
 * Staleness as Prometheus marks it after a scrape: a series that was in the last collection and is not in
 * this one gets one stale marker, at this collection's time.
 */
import type { Series } from "./series.ts";

export class StalenessTracker {
  private last = new Map<string, readonly string[]>();

  /** Returns stale markers for the series that disappeared since the previous call; remembers `current`. */
  update(current: readonly Series[], timestampMs: number): Series[] {
    const next = new Map<string, readonly string[]>();
    for (const s of current) next.set(s.key, s.labels);
    const stale: Series[] = [];
    for (const [key, labels] of this.last) {
      if (!next.has(key)) stale.push({ key, labels, value: NaN, timestampMs, stale: true });
    }
    this.last = next;
    return stale;
  }
}
