import { describe, expect, test } from "bun:test";
import { pressure } from "./pressure.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("pressure collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(pressure);
    expectGolden("pressure", text);
    expect(text).toMatch(/^node_pressure_cpu_waiting_seconds_total [0-9.e+-]+$/m);
    expect(text).toContain("node_pressure_irq_stalled_seconds_total 4.2e-05\n");
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(pressure, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
