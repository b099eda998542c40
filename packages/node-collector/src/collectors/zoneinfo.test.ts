import { describe, expect, test } from "bun:test";
import { zoneinfo } from "./zoneinfo.ts";
import { collectText } from "../testing/golden.ts";

describe("zoneinfo collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(zoneinfo);
    expect(text).toMatch(/^node_zoneinfo_present_pages\{node="0",zone="DMA32"\} \d+$/m);
    expect(text).toMatch(/^node_zoneinfo_protection_0\{node="0",zone="DMA"\} 0$/m);
    expect(text).toMatch(/^# TYPE node_zoneinfo_numa_hit_total counter$/m);
    expect(text).toMatch(/^node_zoneinfo_nr_active_anon_pages\{node="0",zone="DMA"\} \d+$/m);
  });

  test("per-node stats belong to the node's first zone only", async () => {
    const text = await collectText(zoneinfo);
    expect(text).not.toMatch(/^node_zoneinfo_nr_active_anon_pages\{node="0",zone="Normal"\}/m);
  });
});
