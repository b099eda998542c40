import { describe, expect, test } from "bun:test";
import { entropy } from "./entropy.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("entropy collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(entropy);
    expectGolden("entropy", text);
    expect(text).toMatch(/^node_entropy_available_bits \d+$/m);
    expect(text).toMatch(/^node_entropy_pool_size_bits \d+$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(entropy, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
