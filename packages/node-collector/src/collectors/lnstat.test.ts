import { describe, expect, test } from "bun:test";
import { lnstat } from "./lnstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("lnstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(lnstat);
    expectGolden("lnstat", text);
    expect(text).toMatch(/^node_lnstat_entries_total\{cpu="0",subsystem="arp_cache"\} \d+$/m);
    expect(text).toMatch(/^node_lnstat_entries_total\{cpu="1",subsystem="nf_conntrack"\} \d+$/m);
  });

  test("a host without /proc/net/stat yields nothing", async () => {
    expect(await collectText(lnstat, { paths: NOWHERE })).toBe("");
  });
});
