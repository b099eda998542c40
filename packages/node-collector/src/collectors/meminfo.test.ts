import { describe, expect, test } from "bun:test";
import { formatValue } from "@agent/core";
import { meminfo } from "./meminfo.ts";
import { collectText } from "../testing/golden.ts";

describe("meminfo collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(meminfo);
    expect(text).toMatch(/^node_memory_MemTotal_bytes [0-9.e+]+$/m);
    expect(text).toMatch(/^node_memory_Active_anon_bytes [0-9.e+]+$/m);
    expect(text).toMatch(/^node_memory_HugePages_Total [0-9.e+]+$/m);
    expect(text).not.toContain("HugePages_Total_bytes");
    const kb = Number(/^MemTotal:\s+(\d+) kB$/m.exec(await Bun.file(import.meta.dir + "/../../fixtures/proc/meminfo").text())![1]);
    expect(text).toContain(`node_memory_MemTotal_bytes ${formatValue(kb * 1024)}\n`);
  });
});
