import { describe, expect, test } from "bun:test";
import { netstat } from "./netstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("netstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(netstat);
    expectGolden("netstat", text);
    expect(text).toMatch(/^node_netstat_Tcp_CurrEstab \d+$/m);
    expect(text).toMatch(/^node_netstat_Ip6_InOctets \d+$/m);
    expect(text).toMatch(/^node_netstat_TcpExt_ListenDrops \d+$/m);
    expect(text).toContain("# TYPE node_netstat_Udp_InDatagrams untyped");
    expect(text).not.toContain("node_netstat_Tcp_MaxConn");
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(netstat, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
