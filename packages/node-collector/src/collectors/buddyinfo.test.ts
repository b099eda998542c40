import { describe, expect, test } from "bun:test";
import { buddyinfo } from "./buddyinfo.ts";
import { collectText } from "../testing/golden.ts";

describe("buddyinfo collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(buddyinfo);
    expect(text).toMatch(/^node_buddyinfo_blocks\{node="0",size="10",zone="Normal"\} 825$/m);
    expect(text).toMatch(/^node_buddyinfo_blocks\{node="0",size="0",zone="DMA32"\} 2$/m);
  });
});
