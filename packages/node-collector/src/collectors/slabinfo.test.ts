import { describe, expect, test } from "bun:test";
import { slabinfo } from "./slabinfo.ts";
import { collectText, expectGolden } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("slabinfo collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(slabinfo);
    expectGolden("slabinfo", text);
    expect(text).toMatch(/^node_slabinfo_object_size_bytes\{slab="kmalloc-64"\} 64$/m);
    expect(text).toMatch(/^node_slabinfo_objects_per_slab\{slab="kmalloc-64"\} 64$/m);
  });

  test("a host without /proc/slabinfo fails the collector, as node_exporter does", async () => {
    await expect(collectText(slabinfo, { paths: NOWHERE })).rejects.toThrow(/slabinfo/);
  });
});
