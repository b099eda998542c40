import { describe, expect, test } from "bun:test";
import { conntrack } from "./conntrack.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("conntrack collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(conntrack);
    expectGolden("conntrack", text);
    expect(text).toMatch(/^node_nf_conntrack_entries \d+$/m);
    expect(text).toMatch(/^node_nf_conntrack_entries_limit \d+$/m);
    expect(text).toMatch(/^node_nf_conntrack_stat_search_restart \d+$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(conntrack, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
