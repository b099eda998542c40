import { describe, expect, test } from "bun:test";
import { softnet } from "./softnet.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("softnet collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(softnet);
    expectGolden("softnet", text);
    expect(text).toMatch(/^node_softnet_processed_total\{cpu="0"\} \d+$/m);
    expect(text).toMatch(/^node_softnet_processed_total\{cpu="1"\} \d+$/m);
    expect(text).toMatch(/^node_softnet_times_squeezed_total\{cpu="1"\} \d+$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(softnet, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
