import { describe, expect, test } from "bun:test";
import { buddyinfo } from "./buddyinfo.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("buddyinfo collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(buddyinfo);
    expectGolden("buddyinfo", text);
    expect(promtoolProblems(text)).toEqual([]);
    expect(text).toMatch(/^node_buddyinfo_blocks\{node="0",size="10",zone="Normal"\} 825$/m);
    expect(text).toMatch(/^node_buddyinfo_blocks\{node="0",size="0",zone="DMA32"\} 2$/m);
  });

  test("a host without /proc/buddyinfo fails the collector, as node_exporter does", async () => {
    await expect(collectText(buddyinfo, { paths: NOWHERE })).rejects.toThrow(/buddyinfo/);
  });
});
