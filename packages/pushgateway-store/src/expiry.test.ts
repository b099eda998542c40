import { expect, test } from "bun:test";
import { createLogger } from "@agent/core";
import { ExpiryTimer, type Expirable } from "./expiry.ts";

const quiet = createLogger({ level: "error", write: () => {} });

/** Deadlines (Unix ms) standing in for stored groups; records when each sweep ran. */
class Deadlines implements Expirable {
  readonly sweeps: number[] = [];
  constructor(readonly due: number[]) {}
  async expire(now: number): Promise<number> {
    this.sweeps.push(now);
    const before = this.due.length;
    this.due.splice(0, this.due.length, ...this.due.filter((d) => d > now));
    return before - this.due.length;
  }
  nextExpiry(): number {
    return this.due.length ? Math.min(...this.due) : 0;
  }
}

test("sweeps at start, then only at deadlines, at least the gap apart", async () => {
  const t0 = Date.now();
  const store = new Deadlines([t0 + 100, t0 + 110, t0 + 120]);
  const timer = new ExpiryTimer(store, 200, quiet);
  timer.start();
  await Bun.sleep(600);
  timer.stop();
  // One at start; then the three deadlines, 10 ms apart, share one sweep held back to the gap.
  expect(store.sweeps.length).toBe(2);
  expect(store.sweeps[1]! - store.sweeps[0]!).toBeGreaterThanOrEqual(195);
  expect(store.due).toEqual([]);
});

test("an earlier deadline re-arms the timer; a later one does not delay it; stop ends it", async () => {
  const t0 = Date.now();
  const store = new Deadlines([t0 + 3_600_000]);
  const timer = new ExpiryTimer(store, 10, quiet);
  timer.start();
  await Bun.sleep(20);
  store.due.push(Date.now() + 50);
  timer.deadline(Date.now() + 50);
  timer.deadline(Date.now() + 3_000_000);
  await Bun.sleep(150);
  expect(store.sweeps.length).toBe(2);
  expect(store.due).toEqual([t0 + 3_600_000]);
  timer.stop();
  store.due.push(Date.now() + 20);
  timer.deadline(Date.now() + 20);
  await Bun.sleep(80);
  expect(store.sweeps.length).toBe(2);
});
