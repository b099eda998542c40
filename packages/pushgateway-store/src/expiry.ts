/**
 * When expiry runs: one timer armed for the earliest deadline among the stored groups, so an agent whose
 * groups expire late (or never) sleeps until then instead of waking every interval to look. Sweeps are at
 * least `minGapMs` apart, so groups with deadlines a millisecond apart cost one sweep per gap, not one each.
 */
import type { Logger } from "@agent/core";

/** What the timer needs of the store. */
export interface Expirable {
  /** Removes the groups due by `now` (Unix ms); returns how many. */
  expire(now: number): Promise<number>;
  /** The earliest deadline among stored groups (Unix ms); 0 when none expires. */
  nextExpiry(): number;
}

/** setTimeout's largest delay (about 24.8 days); a later deadline wakes once on the way and re-arms. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class ExpiryTimer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The deadline the armed timer serves; Infinity when none is armed. */
  private armedFor = Infinity;
  private lastSweep = -Infinity;
  private stopped = false;

  constructor(
    private readonly store: Expirable,
    private readonly minGapMs: number,
    private readonly log: Logger,
  ) {}

  /**
   * Sweeps once now (groups may have expired while the agent was down; the store's index is complete only
   * once that sweep's expire() resolves), then sleeps until the next deadline.
   */
  start(): void {
    this.arm(Date.now());
  }

  /** A group now expires at `at` (Unix ms; 0: never): wake by then, unless an earlier wake is armed already. */
  deadline(at: number): void {
    if (at > 0 && at < this.armedFor && !this.stopped) this.arm(at);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(at: number): void {
    clearTimeout(this.timer);
    this.armedFor = at;
    const wake = Math.max(at, this.lastSweep + this.minGapMs);
    this.timer = setTimeout(() => void this.sweep(), Math.min(MAX_DELAY_MS, Math.max(0, wake - Date.now())));
    this.timer.unref();
  }

  private async sweep(): Promise<void> {
    this.timer = undefined;
    this.armedFor = Infinity;
    this.lastSweep = Date.now();
    try {
      const n = await this.store.expire(this.lastSweep);
      if (n > 0) this.log.debug("groups expired", { groups: n });
    } catch (e) {
      this.log.error("expiry sweep failed", { err: (e as Error).message });
    }
    // Groups a failed sweep left (the storage is broken) are due already: the next try comes after the gap.
    this.deadline(this.store.nextExpiry());
  }
}
