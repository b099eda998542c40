import { describe, expect, test } from "bun:test";
import { meminfo_numa } from "./meminfo_numa.ts";
import { collectText } from "../testing/golden.ts";

describe("meminfo_numa collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(meminfo_numa);
    expect(text).toMatch(/^node_memory_numa_Active_anon\{node="0"\} 2\.015232e\+06$/m);
    expect(text).toMatch(/^node_memory_numa_HugePages_Total\{node="0"\} 0$/m);
    expect(text).toMatch(/^node_memory_numa_numa_hit_total\{node="0"\} 2\.5277521e\+07$/m);
    expect(text).toMatch(/^# TYPE node_memory_numa_numa_hit_total counter$/m);
  });
});
