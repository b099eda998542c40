import { describe, expect, test } from "bun:test";
import { NoDataError } from "../collector.ts";
import { bonding } from "./bonding.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("bonding collector", () => {
  test("counts configured and up slaves per master, lower_ and slave_ links alike", async () => {
    const text = await collectText(bonding);
    expectGolden("bonding", text);
    expect(text).toContain('node_bonding_slaves{master="bond0"} 2\n');
    expect(text).toContain('node_bonding_active{master="bond0"} 1\n');
    expect(text).toContain('node_bonding_active{master="dmz"} 2\n');
    expect(text).toContain('node_bonding_slaves{master="int"} 0\n');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("no bonding_masters file yields nothing; node_exporter says no data (success 0)", async () => {
    await expect(collectText(bonding, { paths: { sysfs: "/nonexistent" } })).rejects.toThrow(NoDataError);
  });
});
