/**
 * WiFi interfaces and stations (node_exporter's wifi collector, off by default), from node_exporter's
 * --collector.wifi.fixtures JSON files (interfaces.json, <device>/bss.json, <device>/stationinfo.json).
 * On a live host the collector needs the kernel's nl80211 generic netlink family; where there is none (no
 * WiFi hardware or driver) it yields no data and reports success 0, as node_exporter does.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { genlFamilyId } from "../genetlink.ts";

/** A JSON object as Go's encoding/json reads it into a struct: field names match case-insensitively. */
type GoObject = Record<string, unknown>;

function field(o: GoObject, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : o[key];
}
const num = (o: GoObject, name: string) => Number(field(o, name) ?? 0);

/** Go's net.HardwareAddr.String of a []byte that JSON carries as base64. */
function mac(o: GoObject, name: string): string {
  const b64 = field(o, name);
  if (typeof b64 !== "string" || b64 === "") return "";
  return [...Buffer.from(b64, "base64")].map((b) => b.toString(16).padStart(2, "0")).join(":");
}

/** The parsed file, or null when it does not exist (a device without BSS or station data). */
function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw e;
  }
  return JSON.parse(text);
}

/** mdlayher/wifi's BSSStatus: 0 authenticated, 1 associated, 2 IBSS joined. */
function mode(status: number): string {
  return status === 0 || status === 1 ? "client" : status === 2 ? "ad-hoc" : "unknown";
}

const STATION_FAMILIES: [name: string, type: "counter" | "gauge", help: string, value: (s: GoObject) => number][] = [
  ["node_wifi_station_connected_seconds_total", "counter", "The total number of seconds a station has been connected to an access point.", (s) => num(s, "connected") / 1e9],
  ["node_wifi_station_inactive_seconds", "gauge", "The number of seconds since any wireless activity has occurred on a station.", (s) => num(s, "inactive") / 1e9],
  ["node_wifi_station_receive_bits_per_second", "gauge", "The current WiFi receive bitrate of a station, in bits per second.", (s) => num(s, "receivebitrate")],
  ["node_wifi_station_transmit_bits_per_second", "gauge", "The current WiFi transmit bitrate of a station, in bits per second.", (s) => num(s, "transmitbitrate")],
  ["node_wifi_station_receive_bytes_total", "counter", "The total number of bytes received by a WiFi station.", (s) => num(s, "receivedbytes")],
  ["node_wifi_station_transmit_bytes_total", "counter", "The total number of bytes transmitted by a WiFi station.", (s) => num(s, "transmittedbytes")],
  ["node_wifi_station_signal_dbm", "gauge", "The current WiFi signal strength, in decibel-milliwatts (dBm).", (s) => num(s, "signal")],
  ["node_wifi_station_transmit_retries_total", "counter", "The total number of times a station has had to retry while sending a packet.", (s) => num(s, "transmitretries")],
  ["node_wifi_station_transmit_failed_total", "counter", "The total number of times a station has failed to send a packet.", (s) => num(s, "transmitfailed")],
  ["node_wifi_station_beacon_loss_total", "counter", "The total number of times a station has detected a beacon loss.", (s) => num(s, "beaconloss")],
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
      if (config.fixtures === "") {
        if (genlFamilyId("nl80211") === null) throw new Error("wifi collector metrics are not available for this system (no nl80211)");
        throw new Error("reading live nl80211 is not implemented; only --collector.wifi.fixtures is");
      }
      const dir = config.fixtures;
      const interfaces = readJson(join(dir, "interfaces.json"));
      if (!Array.isArray(interfaces)) throw new Error(`failed to retrieve wifi interfaces: ${join(dir, "interfaces.json")} is missing or not a JSON array`);
      const frequency = out.family("node_wifi_interface_frequency_hertz", "gauge", "The current frequency a WiFi interface is operating at, in hertz.");
      const infos: Record<string, string>[] = [];
      const stations: { device: string; mac_address: string; s: GoObject }[] = [];
      // virtual devices without a name are skipped, as node_exporter skips them
      const named = (interfaces as GoObject[]).map((i) => ({ name: String(field(i, "name") ?? ""), i })).filter((x) => x.name !== "");
      for (const { name, i } of named.sort(byKey((x) => x.name))) {
        frequency.add(num(i, "frequency") * 1e6, { device: name });
        const bss = readJson(join(dir, name, "bss.json")) as GoObject | null;
        if (bss) infos.push({ bssid: mac(bss, "bssid"), device: name, mode: mode(num(bss, "status")), ssid: String(field(bss, "ssid") ?? "") });
        const list = readJson(join(dir, name, "stationinfo.json")) as GoObject[] | null;
        for (const s of list ?? []) stations.push({ device: name, mac_address: mac(s, "hardwareaddr"), s });
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
