import { describe, expect, test } from "bun:test";
import { bcache, dehumanize } from "./bcache.ts";
import { collectText } from "../testing/golden.ts";

describe("bcache collector", () => {
  test("undoes bch_hprint the way the kernel wrote it", () => {
    expect(dehumanize("0")).toBe(0);
    expect(dehumanize("1422")).toBe(1422);
    expect(dehumanize("1.3k")).toBe(1324); // (1 + 3/10.24) * 1024
    expect(dehumanize("96.2M")).toBe(Math.trunc((96 + 2 / 10.24) * 2 ** 20));
    expect(dehumanize("-20.4M")).toBe(-Math.trunc((20 + 4 / 10.24) * 2 ** 20));
    expect(() => dehumanize("x")).toThrow();
  });

  test("exposes cache set, backing and cache device statistics", async () => {
    const text = await collectText(bcache);
    expect(text).toContain('node_bcache_cache_hits_total{backing_device="bdev0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 1211\n');
    expect(text).toContain('node_bcache_writeback_change{backing_device="bdev0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} -2048\n');
    expect(text).not.toContain("priority_stats");
    expect(text).not.toContain("node_bcache_cache_readaheads_total"); // dropped by node_exporter 1.6
  });

  test("priority stats only with --collector.bcache.priorityStats", async () => {
    const text = await collectText(bcache, { config: { priorityStats: true } });
    expect(text).toContain('node_bcache_priority_stats_unused_percent{cache_device="cache0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 91\n');
    expect(text).toContain('node_bcache_priority_stats_metadata_percent{cache_device="cache0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 2\n');
  });
});
