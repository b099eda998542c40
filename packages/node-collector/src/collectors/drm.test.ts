import { describe, expect, test } from "bun:test";
import { drm } from "./drm.ts";
import { collectText } from "../testing/golden.ts";

describe("drm collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(drm);
    expect(text).toMatch(/^node_drm_card_info\{card="card0",memory_vendor="samsung",power_performance_level="manual",unique_id="0123456789abcdef",vendor="amd"\} 1$/m);
    expect(text).toMatch(/^node_drm_memory_vram_size_bytes\{card="card0"\} 8\.573157376e\+09$/m);
    expect(text).toMatch(/^node_drm_gpu_busy_percent\{card="card0"\} 4$/m);
  });

  test("cards of other drivers (i915) and connectors are not reported", async () => {
    const text = await collectText(drm);
    expect(text).not.toContain("card1");
    expect(text).not.toContain("DP-1");
  });
});
