import { describe, expect, test } from "bun:test";
import { zoneinfo } from "./zoneinfo.ts";
import { collectText, expectGolden } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("zoneinfo collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(zoneinfo);
    expectGolden("zoneinfo", text);
    expect(text).toMatch(/^node_zoneinfo_present_pages\{node="0",zone="DMA32"\} \d+$/m);
    expect(text).toMatch(/^node_zoneinfo_protection_0\{node="0",zone="DMA"\} 0$/m);
    expect(text).toMatch(/^# TYPE node_zoneinfo_numa_hit_total counter$/m);
    expect(text).toMatch(/^node_zoneinfo_nr_active_anon_pages\{node="0",zone="DMA"\} \d+$/m);
  });

  test("per-node stats belong to the node's first zone only", async () => {
    const text = await collectText(zoneinfo);
    expect(text).not.toMatch(/^node_zoneinfo_nr_active_anon_pages\{node="0",zone="Normal"\}/m);
  });

  test("a host without /proc/zoneinfo fails the collector, as node_exporter does", async () => {
    await expect(collectText(zoneinfo, { paths: NOWHERE })).rejects.toThrow(/zoneinfo/);
  });
});
