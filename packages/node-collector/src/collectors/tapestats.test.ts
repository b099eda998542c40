import { describe, expect, test } from "bun:test";
import { tapestats } from "./tapestats.ts";
import { collectText } from "../testing/golden.ts";

describe("tapestats collector", () => {
  test("exposes st<N> drive statistics, times in seconds", async () => {
    const text = await collectText(tapestats);
    expect(text).toContain('node_tape_io_time_seconds_total{device="st0"} 9247.01108772\n');
    expect(text).toContain('node_tape_written_bytes_total{device="st0"} 1.496246784e+12\n');
    expect(text).not.toContain('device="nst0"');
    expect(text).not.toContain('device="st0a"');
  });

  test("--collector.tapestats.ignored-devices drops matching drives", async () => {
    const text = await collectText(tapestats, { config: { ignoredDevices: /^st1$/ } });
    expect(text).not.toContain('device="st1"');
    expect(text).toContain('device="st0"');
  });
});
