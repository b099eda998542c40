/**
 * A full garbage collection once scrapes pause a while. A scrape leaves short-lived strings (a push store's
 * scrape its whole body); left to its own heuristics JSC lets the heap grow many scrapes' worth before
 * collecting, which shows as RSS. A full collection costs more CPU than a spaced scrape itself, so it runs in the
 * quiet after a scrape rather than during a burst, and at most once per GC_MIN_INTERVAL_MS: a host scraped every
 * 15 s pays for one every 4th scrape, and the heap holds at most four scrapes' garbage between them.
 */
const GC_AFTER_IDLE_MS = 1000;
const GC_MIN_INTERVAL_MS = 60_000;

export class IdleGc {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private last = -Infinity;

  /** Called after each scrape: (re)arms the collection for when scrapes have paused. */
  afterScrape(): void {
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(GC_AFTER_IDLE_MS, this.last + GC_MIN_INTERVAL_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.last = performance.now();
      Bun.gc(true);
    }, wait);
    this.timer.unref();
  }
}
