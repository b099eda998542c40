import { describe, expect, test } from "bun:test";
import { loadavg } from "./loadavg.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("loadavg collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(loadavg);
    expectGolden("loadavg", text);
    expect(text).toMatch(/^node_load1 [0-9.]+$/m);
    expect(text).toMatch(/^node_load15 [0-9.]+$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(loadavg, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
