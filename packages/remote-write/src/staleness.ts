/**
 * Staleness as Prometheus marks it after a scrape: a series that was in the last collection and is not in
 * this one gets one stale marker, at this collection's time.
 */
import type { Series } from "./series.ts";

export class StalenessTracker {
  /** Series key -> its labels and the collection that last had it; updated in place, not rebuilt. */
  private readonly seen = new Map<string, { labels: readonly string[]; generation: number }>();
  private generation = 0;

  /** Returns stale markers for the series that disappeared since the previous call; remembers `current`. */
  update(current: readonly Series[], timestampMs: number): Series[] {
    const generation = ++this.generation;
    for (const s of current) {
      const known = this.seen.get(s.key);
      if (known) known.generation = generation;
      else this.seen.set(s.key, { labels: s.labels, generation });
    }
    const stale: Series[] = [];
    for (const [key, entry] of this.seen) {
      if (entry.generation === generation) continue;
      stale.push({ key, labels: entry.labels, value: NaN, timestampMs, stale: true });
      this.seen.delete(key);
    }
    return stale;
  }
}
