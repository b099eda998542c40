import { describe, expect, test } from "bun:test";
import { meminfo_numa } from "./meminfo_numa.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("meminfo_numa collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(meminfo_numa);
    expectGolden("meminfo_numa", text);
    expect(text).toMatch(/^node_memory_numa_Active_anon\{node="0"\} 2\.015232e\+06$/m);
    expect(text).toMatch(/^node_memory_numa_HugePages_Total\{node="0"\} 0$/m);
    expect(text).toMatch(/^node_memory_numa_numa_hit_total\{node="0"\} 2\.5277521e\+07$/m);
    expect(text).toMatch(/^# TYPE node_memory_numa_numa_hit_total counter$/m);
  });

  test("a host without NUMA nodes in sysfs yields nothing", async () => {
    expect(await collectText(meminfo_numa, { paths: NOWHERE })).toBe("");
  });
});
