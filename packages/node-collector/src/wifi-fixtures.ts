/**
 * node_exporter's --collector.wifi.fixtures: mdlayher/wifi's Interface, BSS and StationInfo as Go's
 * encoding/json wrote them (interfaces.json, <device>/bss.json, <device>/stationinfo.json), read into the
 * same objects the live nl80211 path produces.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { durationSeconds, type WifiBss, type WifiInterface, type WifiSource, type WifiStation } from "./nl80211.ts";

/** A JSON object as Go's encoding/json reads it into a struct: field names match case-insensitively. */
type GoObject = Record<string, unknown>;

function field(o: GoObject, name: string): unknown {
  const key = Object.keys(o).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : o[key];
}
const num = (o: GoObject, name: string) => Number(field(o, name) ?? 0);
const str = (o: GoObject, name: string) => String(field(o, name) ?? "");
/** A []byte (net.HardwareAddr), which JSON carries as base64. */
const bytes = (o: GoObject, name: string) => new Uint8Array(Buffer.from(str(o, name), "base64"));

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

function station(s: GoObject): WifiStation {
  return {
    hardwareAddr: bytes(s, "hardwareaddr"),
    // time.Duration: nanoseconds
    connectedSeconds: durationSeconds(num(s, "connected")),
    inactiveSeconds: durationSeconds(num(s, "inactive")),
    receiveBitrate: num(s, "receivebitrate"),
    transmitBitrate: num(s, "transmitbitrate"),
    receivedBytes: num(s, "receivedbytes"),
    transmittedBytes: num(s, "transmittedbytes"),
    signal: num(s, "signal"),
    transmitRetries: num(s, "transmitretries"),
    transmitFailed: num(s, "transmitfailed"),
    beaconLoss: num(s, "beaconloss"),
  };
}

export function wifiFixtures(dir: string): WifiSource {
  return {
    interfaces(): WifiInterface[] {
      const list = readJson(join(dir, "interfaces.json"));
      if (!Array.isArray(list)) throw new Error(`${join(dir, "interfaces.json")} is missing or not a JSON array`);
      return (list as GoObject[]).map((i) => ({
        index: num(i, "index"),
        name: str(i, "name"),
        hardwareAddr: bytes(i, "hardwareaddr"),
        type: num(i, "type"),
        frequency: num(i, "frequency"),
      }));
    },
    bss(ifi): WifiBss | null {
      const b = readJson(join(dir, ifi.name, "bss.json")) as GoObject | null;
      return b && { bssid: bytes(b, "bssid"), ssid: str(b, "ssid"), status: num(b, "status") };
    },
    stations(ifi): WifiStation[] | null {
      const list = readJson(join(dir, ifi.name, "stationinfo.json")) as GoObject[] | null;
      return list && list.map(station);
    },
  };
}
