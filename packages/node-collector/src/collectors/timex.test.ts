import { describe, expect, test } from "bun:test";
import { timex } from "./timex.ts";
import { collectText } from "../testing/golden.ts";

describe("timex collector", () => {
  test("reads the kernel clock state through adjtimex(2)", async () => {
    const text = await collectText(timex);
    // Every Linux kernel ticks at a whole number of microseconds between 1 and 10 ms (HZ 100..1000).
    const tick = Number(/^node_timex_tick_seconds (\S+)$/m.exec(text)![1]);
    expect(tick).toBeGreaterThanOrEqual(0.001);
    expect(tick).toBeLessThanOrEqual(0.01);
    const ratio = Number(/^node_timex_frequency_adjustment_ratio (\S+)$/m.exec(text)![1]);
    expect(Math.abs(ratio - 1)).toBeLessThan(0.001);
    expect(text).toMatch(/^node_timex_sync_status [01]$/m);
    expect(text).toMatch(/^node_timex_maxerror_seconds [0-9.e+-]+$/m);
    expect(text).toContain("# TYPE node_timex_pps_jitter_total counter");
  });
});
