import { describe, expect, test } from "bun:test";
import { entropy } from "./entropy.ts";
import { collectText } from "../testing/golden.ts";

describe("entropy collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(entropy);
    expect(text).toMatch(/^node_entropy_available_bits \d+$/m);
    expect(text).toMatch(/^node_entropy_pool_size_bits \d+$/m);
  });
});
