import { describe, expect, test } from "bun:test";
import { netclass } from "./netclass.ts";
import { collectText, expectGolden } from "../testing/golden.ts";

describe("netclass collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(netclass, { config: { ignoredDevices: /^(bond|int|dmz)/ } });
    expectGolden("netclass", text);
    expect(text).toContain(`node_network_up{device="eth0"} 1\n`);
    expect(text).toContain(`node_network_up{device="lo"} 0\n`);
    expect(text).toMatch(/^node_network_info\{address="[0-9a-f:]+",adminstate="up",broadcast="[0-9a-f:]+",device="eth0",duplex="[a-z]*",ifalias="",operstate="up"\} 1$/m);
    // speed -1 (unknown) is reported as node_exporter does unless --collector.netclass.ignore-invalid-speed
    expect(text).toContain(`node_network_speed_bytes{device="eth0"} -125000\n`);
    expect(text).toContain(`node_network_flags{device="eth0"} 4099\n`);
  });

  test("ignore-invalid-speed drops a negative speed; ignored devices are skipped", async () => {
    const text = await collectText(netclass, { config: { ignoredDevices: /^(bond|int|dmz|lo)/, ignoreInvalidSpeed: true } });
    expect(text).not.toContain("node_network_speed_bytes");
    expect(text).not.toContain(`device="lo"`);
  });

  test("a device directory without attributes (the bonding fixture's) is shown empty, a plain file is no device", async () => {
    const text = await collectText(netclass);
    expect(text).toContain(`node_network_info{address="",adminstate="unknown",broadcast="",device="bond0",duplex="",ifalias="",operstate=""} 1\n`);
    expect(text).toContain(`node_network_up{device="int"} 0\n`);
    expect(text).not.toContain("bonding_masters");
  });
});
