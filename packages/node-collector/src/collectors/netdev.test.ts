import { describe, expect, test } from "bun:test";
import { netdev } from "./netdev.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("netdev collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(netdev);
    expectGolden("netdev", text);
    expect(text).toMatch(/^node_network_receive_bytes_total\{device="eth0"\} [0-9.e+]+$/m);
    expect(text).toMatch(/^node_network_transmit_packets_total\{device="lo"\} [0-9.e+]+$/m);
    expect(text).toMatch(/^node_network_receive_nohandler_total\{device="eth0"\} [0-9.e+]+$/m);
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(netdev, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});

describe("netdev device filters", () => {
  test("include wins over exclude; the deprecated blacklist name still works", async () => {
    const only = await collectText(netdev, { config: { deviceInclude: /^eth/ } });
    expect(only).toContain(`device="eth0"`);
    expect(only).not.toContain(`device="lo"`);
    const legacy = await collectText(netdev, { config: { deviceBlacklist: /^lo$/ } });
    expect(legacy).toContain(`device="eth0"`);
    expect(legacy).not.toContain(`device="lo"`);
  });
});
