import { describe, expect, test } from "bun:test";
import { lnstat } from "./lnstat.ts";
import { collectText } from "../testing/golden.ts";

describe("lnstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(lnstat);
    expect(text).toMatch(/^node_lnstat_entries_total\{cpu="0",subsystem="arp_cache"\} \d+$/m);
    expect(text).toMatch(/^node_lnstat_entries_total\{cpu="1",subsystem="nf_conntrack"\} \d+$/m);
  });
});
