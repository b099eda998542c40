import { describe, expect, test } from "bun:test";
import { ksmd } from "./ksmd.ts";
import { collectText } from "../testing/golden.ts";

describe("ksmd collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(ksmd);
    expect(text).toMatch(/^node_ksmd_full_scans_total 0$/m);
    expect(text).toMatch(/^node_ksmd_sleep_seconds 0.02$/m);
    expect(text).toMatch(/^node_ksmd_pages_to_scan 100$/m);
  });
});
