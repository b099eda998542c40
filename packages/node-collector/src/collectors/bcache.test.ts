import { describe, expect, test } from "bun:test";
import { bcache, dehumanize } from "./bcache.ts";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { collectText, fixturePaths } from "../testing/golden.ts";

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
    expect(text).toContain('node_bcache_cache_readaheads_total{backing_device="bdev0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 13\n');
  });

  test("priority stats only with --collector.bcache.priorityStats", async () => {
    const text = await collectText(bcache, { config: { priorityStats: true } });
    expect(text).toContain('node_bcache_priority_stats_unused_percent{cache_device="cache0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 91\n');
    expect(text).toContain('node_bcache_priority_stats_metadata_percent{cache_device="cache0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 2\n');
  });

  test("readaheads show only where counted, as node_exporter 1.8.2; a missing stat file reads 0", async () => {
    const sysfs = mkdtempSync(join(tmpdir(), "bcache-"));
    try {
      cpSync(join(fixturePaths.sysfs, "fs", "bcache"), join(sysfs, "fs", "bcache"), { recursive: true });
      const total = join(sysfs, "fs", "bcache", "5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42", "bdev0", "stats_total");
      writeFileSync(join(total, "cache_readaheads"), "0\n");
      expect(await collectText(bcache, { paths: { sysfs } })).not.toContain("readaheads");
      rmSync(join(total, "cache_readaheads"));
      rmSync(join(total, "cache_bypass_hits"));
      const text = await collectText(bcache, { paths: { sysfs } });
      expect(text).not.toContain("readaheads");
      expect(text).toContain('node_bcache_cache_bypass_hits_total{backing_device="bdev0",uuid="5f3a1c0e-9d2b-4b7a-8c11-2e6f0a9b7d42"} 0\n');
    } finally {
      rmSync(sysfs, { recursive: true, force: true });
    }
  });
});
