import { describe, expect, test } from "bun:test";
import { NoDataError } from "../collector.ts";
import { tapestats } from "./tapestats.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("tapestats collector", () => {
  test("exposes st<N> drive statistics, times in seconds", async () => {
    const text = await collectText(tapestats);
    expectGolden("tapestats", text);
    expect(text).toContain('node_tape_io_time_seconds_total{device="st0"} 9247.01108772\n');
    expect(text).toContain('node_tape_written_bytes_total{device="st0"} 1.496246784e+12\n');
    expect(text).not.toContain('device="nst0"');
    expect(text).not.toContain('device="st0a"');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("--collector.tapestats.ignored-devices drops matching drives", async () => {
    const text = await collectText(tapestats, { config: { ignoredDevices: /^st1$/ } });
    expect(text).not.toContain('device="st1"');
    expect(text).toContain('device="st0"');
  });

  test("no /sys/class/scsi_tape yields nothing; node_exporter says no data (success 0)", async () => {
    await expect(collectText(tapestats, { paths: { sysfs: "/nonexistent" } })).rejects.toThrow(NoDataError);
  });
});
