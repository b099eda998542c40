import { describe, expect, test } from "bun:test";
import { sockstat } from "./sockstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("sockstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(sockstat);
    expectGolden("sockstat", text);
    expect(text).toMatch(/^node_sockstat_sockets_used \d+$/m);
    expect(text).toMatch(/^node_sockstat_TCP_mem_bytes \d+$/m);
    expect(text).toMatch(/^node_sockstat_TCP6_inuse \d+$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(sockstat, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
