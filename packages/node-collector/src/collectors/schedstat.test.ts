import { describe, expect, test } from "bun:test";
import { schedstat } from "./schedstat.ts";
import { collectText } from "../testing/golden.ts";

describe("schedstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(schedstat);
    expect(text).toContain(`node_schedstat_running_seconds_total{cpu="0"} 2.045936778163039e+06\n`);
    expect(text).toContain(`node_schedstat_timeslices_total{cpu="1"} 5.145567945e+09\n`);
  });
});
