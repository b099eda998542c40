import { describe, expect, test } from "bun:test";
import { time } from "./time.ts";
import { collectText } from "../testing/golden.ts";

describe("time collector", () => {
  test("reports the clock, the zone and the fixture's clocksources", async () => {
    const before = Date.now() / 1000;
    const text = await collectText(time);
    const t = Number(/^node_time_seconds (\S+)$/m.exec(text)![1]);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now() / 1000);
    expect(text).toMatch(/^node_time_zone_offset_seconds\{time_zone="[^"]+"\} -?\d+$/m);
    expect(text).toMatch(/^node_time_clocksource_current_info\{clocksource="\w+",device="0"\} 1$/m);
    expect(text).toMatch(/^node_time_clocksource_available_info\{clocksource="\w+",device="0"\} 1$/m);
  });
});
