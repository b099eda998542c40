import { describe, expect, test } from "bun:test";
import { tcpstat } from "./tcpstat.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("tcpstat collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(tcpstat);
    expectGolden("tcpstat", text);
    expect(text).toMatch(/^node_tcp_connection_states\{state="listen"\} \d+$/m);
    expect(text).toContain(`node_tcp_connection_states{state="rx_queued_bytes"} `);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(tcpstat, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
