import { describe, expect, test } from "bun:test";
import { NoDataError } from "../collector.ts";
import { schedstat } from "./schedstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("schedstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(schedstat);
    expectGolden("schedstat", text);
    expect(text).toContain(`node_schedstat_running_seconds_total{cpu="0"} 2.045936778163039e+06\n`);
    expect(text).toContain(`node_schedstat_timeslices_total{cpu="1"} 5.145567945e+09\n`);
  });

  test("an absent source yields nothing; node_exporter says no data (success 0)", async () => {
    await expect(collectText(schedstat, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).rejects.toThrow(NoDataError);
  });
});
