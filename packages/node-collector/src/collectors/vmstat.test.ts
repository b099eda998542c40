import { describe, expect, test } from "bun:test";
import { vmstat } from "./vmstat.ts";
import { collectText } from "../testing/golden.ts";

describe("vmstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(vmstat);
    expect(text).toMatch(/^node_vmstat_pgfault [0-9.e+]+$/m);
    expect(text).toMatch(/^node_vmstat_oom_kill [0-9.e+]+$/m);
    expect(text).not.toContain("node_vmstat_nr_free_pages");
  });
});
