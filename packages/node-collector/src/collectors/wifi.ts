/**
 * WiFi interfaces and stations (node_exporter's wifi collector, off by default), from the kernel's nl80211
 * generic netlink family (nl80211.ts) or from node_exporter's --collector.wifi.fixtures JSON files
 * (wifi-fixtures.ts); both give the same objects, rendered here. Where the kernel has no nl80211 (no WiFi
 * hardware or driver) the collector yields no data and reports success 0, as node_exporter does.
 */
import { flag } from "@agent/core";
import { defineCollector, NoDataError } from "../collector.ts";
import { hardwareAddr } from "../netlink.ts";
import { nl80211, type WifiStation } from "../nl80211.ts";
import { wifiFixtures } from "../wifi-fixtures.ts";

/** mdlayher/wifi's BSSStatus: 0 authenticated, 1 associated, 2 IBSS joined. */
function mode(status: number): string {
  return status === 0 || status === 1 ? "client" : status === 2 ? "ad-hoc" : "unknown";
}

/** `read()`, its failure prefixed with what was being read, as node_exporter words its errors. */
function reading<T>(what: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`);
  }
}

const STATION_FAMILIES: [name: string, type: "counter" | "gauge", help: string, value: (s: WifiStation) => number][] = [
  ["node_wifi_station_connected_seconds_total", "counter", "The total number of seconds a station has been connected to an access point.", (s) => s.connectedSeconds],
  ["node_wifi_station_inactive_seconds", "gauge", "The number of seconds since any wireless activity has occurred on a station.", (s) => s.inactiveSeconds],
  ["node_wifi_station_receive_bits_per_second", "gauge", "The current WiFi receive bitrate of a station, in bits per second.", (s) => s.receiveBitrate],
  ["node_wifi_station_transmit_bits_per_second", "gauge", "The current WiFi transmit bitrate of a station, in bits per second.", (s) => s.transmitBitrate],
  ["node_wifi_station_receive_bytes_total", "counter", "The total number of bytes received by a WiFi station.", (s) => s.receivedBytes],
  ["node_wifi_station_transmit_bytes_total", "counter", "The total number of bytes transmitted by a WiFi station.", (s) => s.transmittedBytes],
  ["node_wifi_station_signal_dbm", "gauge", "The current WiFi signal strength, in decibel-milliwatts (dBm).", (s) => s.signal],
  ["node_wifi_station_transmit_retries_total", "counter", "The total number of times a station has had to retry while sending a packet.", (s) => s.transmitRetries],
  ["node_wifi_station_transmit_failed_total", "counter", "The total number of times a station has failed to send a packet.", (s) => s.transmitFailed],
  ["node_wifi_station_beacon_loss_total", "counter", "The total number of times a station has detected a beacon loss.", (s) => s.beaconLoss],
];

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export const wifi = defineCollector({
  name: "wifi",
  defaultEnabled: false,
  flags: {
    fixtures: flag.string("collector.wifi.fixtures", "", "test fixtures to use for wifi collector metrics"),
  },
  create: ({ config }) => ({
    collect(out) {
      const source = config.fixtures === "" ? nl80211() : wifiFixtures(config.fixtures);
      if (!source) throw new NoDataError("nl80211 generic netlink family");
      const interfaces = reading("failed to retrieve wifi interfaces", () => source.interfaces());
      const frequency = out.family("node_wifi_interface_frequency_hertz", "gauge", "The current frequency a WiFi interface is operating at, in hertz.");
      const infos: Record<string, string>[] = [];
      const stations: { device: string; mac_address: string; s: WifiStation }[] = [];
      // virtual devices without a name are skipped, as node_exporter skips them
      for (const ifi of interfaces.filter((i) => i.name !== "").sort(byKey((i) => i.name))) {
        const device = ifi.name;
        frequency.add(ifi.frequency * 1e6, { device });
        const bss = reading(`failed to retrieve BSS for device ${device}`, () => source.bss(ifi));
        if (bss) infos.push({ bssid: hardwareAddr(bss.bssid), device, mode: mode(bss.status), ssid: bss.ssid });
        const list = reading(`failed to retrieve station info for device "${device}"`, () => source.stations(ifi));
        for (const s of list ?? []) stations.push({ device, mac_address: hardwareAddr(s.hardwareAddr), s });
      }
      const info = out.family("node_wifi_station_info", "gauge", "Labeled WiFi interface station information as provided by the operating system.");
      for (const labels of infos.sort(byKey((l) => `${l.bssid}\0${l.device}\0${l.mode}\0${l.ssid}`))) info.add(1, labels);
      stations.sort(byKey((x) => `${x.device}\0${x.mac_address}`));
      for (const [name, type, help, value] of STATION_FAMILIES) {
        const fam = out.family(name, type, help);
        for (const { device, mac_address, s } of stations) fam.add(value(s), { device, mac_address });
      }
    },
  }),
});
