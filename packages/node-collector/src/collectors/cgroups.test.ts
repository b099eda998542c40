import { describe, expect, test } from "bun:test";
import { cgroups } from "./cgroups.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("cgroups collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(cgroups);
    expectGolden("cgroups", text);
    expect(promtoolProblems(text)).toEqual([]);
    expect(text).toMatch(/^node_cgroups_cgroups\{subsys_name="memory"\} 35$/m);
    expect(text).toMatch(/^node_cgroups_enabled\{subsys_name="pids"\} 1$/m);
  });

  test("a host without /proc/cgroups fails the collector, as node_exporter does", async () => {
    await expect(collectText(cgroups, { paths: NOWHERE })).rejects.toThrow(/cgroups/);
  });
});
