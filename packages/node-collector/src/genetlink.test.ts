import { describe, expect, test } from "bun:test";
import { genlFamilyId } from "./genetlink.ts";

describe("generic netlink family lookup (live kernel)", () => {
  test("finds the controller itself and a family every kernel has, and answers null for one that does not exist", () => {
    expect(genlFamilyId("nlctrl")).toBe(0x10);
    const ethtool = genlFamilyId("ethtool") ?? genlFamilyId("NET_DM") ?? genlFamilyId("TASKSTATS");
    expect(ethtool).toBeGreaterThan(0x10);
    expect(genlFamilyId("no-such-family")).toBeNull();
  });
});
