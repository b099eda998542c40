import { describe, expect, test } from "bun:test";
import { vmstat } from "./vmstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("vmstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(vmstat);
    expectGolden("vmstat", text);
    expect(text).toMatch(/^node_vmstat_pgfault [0-9.e+]+$/m);
    expect(text).toMatch(/^node_vmstat_oom_kill [0-9.e+]+$/m);
    expect(text).not.toContain("node_vmstat_nr_free_pages");
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(vmstat, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
