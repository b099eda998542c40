import { describe, expect, test } from "bun:test";
import { stat } from "./stat.ts";
import { collectText } from "../testing/golden.ts";

describe("stat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(stat);
    expect(text).toMatch(/^node_boot_time_seconds [0-9.e+]+$/m);
    expect(text).toContain("# TYPE node_context_switches_total counter");
    expect(text).toMatch(/^node_forks_total [0-9.e+]+$/m);
    expect(text).toMatch(/^node_intr_total [0-9.e+]+$/m);
    expect(text).toMatch(/^node_procs_blocked [0-9.e+]+$/m);
  });
});
