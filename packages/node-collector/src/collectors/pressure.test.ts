import { describe, expect, test } from "bun:test";
import { pressure } from "./pressure.ts";
import { collectText, expectGolden } from "../testing/golden.ts";

describe("pressure collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(pressure);
    expect(text).toMatch(/^node_pressure_cpu_waiting_seconds_total [0-9.e+-]+$/m);
    expect(text).toContain("node_pressure_irq_stalled_seconds_total 4.2e-05\n");
  });

  test("cpu pressure is its waiting time only, as node_exporter reads it", async () => {
    expect(await collectText(pressure)).not.toContain("node_pressure_cpu_stalled_seconds_total");
  });
});
