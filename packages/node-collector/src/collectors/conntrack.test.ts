import { describe, expect, test } from "bun:test";
import { conntrack } from "./conntrack.ts";
import { collectText } from "../testing/golden.ts";

describe("conntrack collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(conntrack);
    expect(text).toMatch(/^node_nf_conntrack_entries \d+$/m);
    expect(text).toMatch(/^node_nf_conntrack_entries_limit \d+$/m);
    expect(text).toMatch(/^node_nf_conntrack_stat_search_restart \d+$/m);
  });
});
