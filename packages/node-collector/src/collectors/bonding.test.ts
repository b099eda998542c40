import { describe, expect, test } from "bun:test";
import { bonding } from "./bonding.ts";
import { collectText } from "../testing/golden.ts";

describe("bonding collector", () => {
  test("counts configured and up slaves per master, lower_ and slave_ links alike", async () => {
    const text = await collectText(bonding);
    expect(text).toContain('node_bonding_slaves{master="bond0"} 2\n');
    expect(text).toContain('node_bonding_active{master="bond0"} 1\n');
    expect(text).toContain('node_bonding_active{master="dmz"} 2\n');
    expect(text).toContain('node_bonding_slaves{master="int"} 0\n');
  });
});
