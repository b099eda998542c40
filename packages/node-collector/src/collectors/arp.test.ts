import { describe, expect, test } from "bun:test";
import { arp } from "./arp.ts";
import { collectText } from "../testing/golden.ts";

describe("arp collector", () => {
  test("without /proc/net/arp, --no-collector.arp.netlink fails as node_exporter's does", async () => {
    await expect(collectText(arp, { paths: { procfs: "/nonexistent" }, config: { netlink: false } })).rejects.toThrow("/nonexistent/net/arp");
    expect(await collectText(arp, { paths: { procfs: "/nonexistent" } })).toBe("");
  });

  test("counts /proc/net/arp entries per device, as node_exporter does", async () => {
    const text = await collectText(arp);
    expect(text).toContain('node_arp_entries{device="eth0"} 3\n');
  });

  test("device-exclude and device-include filter devices", async () => {
    const excluded = await collectText(arp, { config: { deviceExclude: /^docker/ } });
    expect(excluded).not.toContain("docker0");
    expect(excluded).toContain('device="wlan0"');
    const included = await collectText(arp, { config: { deviceInclude: /^wlan/ } });
    expect(included).toContain('node_arp_entries{device="wlan0"} 1\n');
    expect(included).not.toContain("eth0");
  });
});
