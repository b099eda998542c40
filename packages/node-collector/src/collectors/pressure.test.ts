import { describe, expect, test } from "bun:test";
import { pressure } from "./pressure.ts";
import { collectText } from "../testing/golden.ts";

describe("pressure collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(pressure);
    expect(text).toMatch(/^node_pressure_cpu_waiting_seconds_total [0-9.e+-]+$/m);
    // the fixture has Linux 6.1's /proc/pressure/irq, which node_exporter 1.8.2 does not read
    expect(text).not.toContain("irq");
  });

  test("cpu pressure is its waiting time only, as node_exporter reads it", async () => {
    expect(await collectText(pressure)).not.toContain("node_pressure_cpu_stalled_seconds_total");
  });
});
