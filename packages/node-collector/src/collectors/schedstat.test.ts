import { describe, expect, test } from "bun:test";
import { schedstat } from "./schedstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("schedstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(schedstat);
    expectGolden("schedstat", text);
    expect(text).toContain(`node_schedstat_running_seconds_total{cpu="0"} 2045936.778163039\n`);
    expect(text).toContain(`node_schedstat_timeslices_total{cpu="1"} 5145567945\n`);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(schedstat, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
