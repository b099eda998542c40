import { describe, expect, test } from "bun:test";
import { slabinfo } from "./slabinfo.ts";
import { collectText } from "../testing/golden.ts";

describe("slabinfo collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(slabinfo);
    expect(text).toMatch(/^node_slabinfo_object_size_bytes\{slab="kmalloc-64"\} 64$/m);
    expect(text).toMatch(/^node_slabinfo_objects_per_slab\{slab="kmalloc-64"\} 64$/m);
  });
});
