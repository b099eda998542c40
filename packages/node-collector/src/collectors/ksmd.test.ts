import { describe, expect, test } from "bun:test";
import { ksmd } from "./ksmd.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("ksmd collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(ksmd);
    expectGolden("ksmd", text);
    expect(text).toMatch(/^node_ksmd_full_scans_total 0$/m);
    expect(text).toMatch(/^node_ksmd_sleep_seconds 0.02$/m);
    expect(text).toMatch(/^node_ksmd_pages_to_scan 100$/m);
  });

  test("a kernel without KSM fails the collector, as node_exporter does", async () => {
    await expect(collectText(ksmd, { paths: NOWHERE })).rejects.toThrow(/ksmd/);
  });
});
