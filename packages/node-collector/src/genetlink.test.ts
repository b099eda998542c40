import { describe, expect, test } from "bun:test";
import { attr, genlFamilyId, genlMessage, NETLINK_GENERIC } from "./genetlink.ts";
import { netlinkRequest } from "./netlink.ts";

describe("generic netlink family lookup (live kernel)", () => {
  test("finds the controller itself and a family every kernel has, and answers null for one that does not exist", () => {
    expect(genlFamilyId("nlctrl")).toBe(0x10);
    const ethtool = genlFamilyId("ethtool") ?? genlFamilyId("NET_DM") ?? genlFamilyId("TASKSTATS");
    expect(ethtool).toBeGreaterThan(0x10);
    expect(genlFamilyId("no-such-family")).toBeNull();
  });

  test("the kernel's errno reaches the caller: asking the controller for an unknown family answers ENOENT", () => {
    const errnos: number[] = [];
    const replies: number[] = [];
    // CTRL_CMD_GETFAMILY (3) with CTRL_ATTR_FAMILY_NAME (2)
    const request = genlMessage(3, 1, [attr(2, new TextEncoder().encode("no-such-family\0"))]);
    const ok = netlinkRequest(NETLINK_GENERIC, 0x10, false, request, 0x10, (_, off) => replies.push(off), (e) => errnos.push(e));
    expect([ok, replies, errnos]).toEqual([false, [], [2]]);
  });
});
