import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { NoDataError } from "../collector.ts";
import { genlFamilyId } from "../genetlink.ts";
import { collectText, expectGolden, FIXTURES, promtoolProblems } from "../testing/golden.ts";
import { familiesOf, scrapeNodeExporter } from "../testing/node-exporter.ts";
import { wifi } from "./wifi.ts";

const fixtures = join(FIXTURES, "wifi");

describe("wifi collector, --collector.wifi.fixtures", () => {
  test("interfaces, BSS and stations from node_exporter's fixture JSON (Go's case-insensitive field names)", async () => {
    const text = await collectText(wifi, { config: { fixtures } });
    expectGolden("wifi", text);
    expect(text).toContain('node_wifi_interface_frequency_hertz{device="wlan1"} 5.18e+09\n');
    expect(text).toContain('node_wifi_station_info{bssid="00:11:22:33:44:55",device="wlan0",mode="client",ssid="Example"} 1\n');
    expect(text).toContain('node_wifi_station_transmit_bytes_total{device="wlan0",mac_address="01:02:03:04:05:06"} 654321\n');
    expect(text).toContain('node_wifi_station_inactive_seconds{device="wlan0",mac_address="aa:bb:cc:dd:ee:ff"} 0.4\n');
    // node_exporter's own names, kept for compatibility
    expect(promtoolProblems(text)).toEqual([
      'node_wifi_station_receive_bits_per_second use base unit "bytes" instead of "bits"',
      'node_wifi_station_transmit_bits_per_second use base unit "bytes" instead of "bits"',
    ]);
  });

  test("serves what node_exporter serves from the same fixtures", async () => {
    const theirs = await scrapeNodeExporter("wifi", [`--collector.wifi.fixtures=${fixtures}`]);
    expect(familiesOf(await collectText(wifi, { config: { fixtures } }), "node_wifi_")).toEqual(familiesOf(theirs, "node_wifi_"));
  });

  test("fixtures without interfaces.json fail the collector", async () => {
    await expect(collectText(wifi, { config: { fixtures: join(fixtures, "wlan0") } })).rejects.toThrow("interfaces.json");
  });
});

describe.skipIf(genlFamilyId("nl80211") !== null)("wifi collector on a host without nl80211", () => {
  test("yields no data (node_exporter's ErrNoData: success 0, logged at debug)", async () => {
    const failure = collectText(wifi);
    await expect(failure).rejects.toBeInstanceOf(NoDataError);
    await expect(failure).rejects.toThrow("nl80211 generic netlink family not found");
  });
});
