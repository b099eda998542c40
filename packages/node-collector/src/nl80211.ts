/**
 * nl80211, the kernel's WiFi configuration family on generic netlink, read the way mdlayher/wifi v0.1.0 (the
 * library node_exporter 1.8.2's wifi collector uses) reads it: the interface dump, then per interface the
 * scan dump's BSS that carries a status and the station dump. The types are that library's Interface, BSS
 * and StationInfo, which node_exporter's --collector.wifi.fixtures JSON also spells out.
 */
import { attr, genlFamilyId, genlMessage, NETLINK_GENERIC } from "./genetlink.ts";
import { forEachAttr, netlinkRequest } from "./netlink.ts";
import { decodeRunes } from "./utf8.ts";

export interface WifiInterface {
  index: number;
  /** Empty for devices without a netdev (P2P device), which the collector skips. */
  name: string;
  hardwareAddr: Uint8Array;
  /** nl80211_iftype: 2 station, 3 access point, ... */
  type: number;
  /** MHz; 0 when the interface is on no channel. */
  frequency: number;
}

export interface WifiBss {
  bssid: Uint8Array;
  ssid: string;
  /** nl80211_bss_status: 0 authenticated, 1 associated, 2 IBSS joined. */
  status: number;
}

/** One station of an interface (the access point a client is associated with, or a client of an AP). */
export interface WifiStation {
  hardwareAddr: Uint8Array;
  connectedSeconds: number;
  inactiveSeconds: number;
  /** bits per second */
  receiveBitrate: number;
  transmitBitrate: number;
  receivedBytes: number;
  transmittedBytes: number;
  /** dBm */
  signal: number;
  transmitRetries: number;
  transmitFailed: number;
  beaconLoss: number;
}

/** What the wifi collector reads, from the kernel or from fixture files (node_exporter's wifiStater). */
export interface WifiSource {
  interfaces(): WifiInterface[];
  /** null where the interface has no BSS with a status (not associated, not a station). */
  bss(ifi: WifiInterface): WifiBss | null;
  /** null where the interface reports no stations. */
  stations(ifi: WifiInterface): WifiStation[] | null;
}

/** Go's time.Duration.Seconds() of `ns` nanoseconds: whole seconds plus the fraction, as Go adds them. */
export function durationSeconds(ns: number): number {
  return Math.trunc(ns / 1e9) + (ns % 1e9) / 1e9;
}

// linux/nl80211.h
const NL80211_VERSION = 1;
export const CMD = { GET_INTERFACE: 5, NEW_INTERFACE: 7, GET_STATION: 17, NEW_STATION: 19, GET_SCAN: 32, NEW_SCAN_RESULTS: 34 } as const;
export const ATTR = { IFINDEX: 3, IFNAME: 4, IFTYPE: 5, MAC: 6, STA_INFO: 21, WIPHY_FREQ: 38, BSS: 47 } as const;
export const BSS = { BSSID: 1, INFORMATION_ELEMENTS: 6, STATUS: 9 } as const;
export const STA_INFO = {
  INACTIVE_TIME: 1,
  RX_BYTES: 2,
  TX_BYTES: 3,
  SIGNAL: 7,
  TX_BITRATE: 8,
  TX_RETRIES: 11,
  TX_FAILED: 12,
  RX_BITRATE: 14,
  CONNECTED_TIME: 16,
  BEACON_LOSS: 18,
  RX_BYTES64: 23,
  TX_BYTES64: 24,
} as const;
export const RATE_INFO = { BITRATE: 1, BITRATE32: 5 } as const;
const IE_SSID = 0;
const ENOENT = 2;

/** The kernel refused an nl80211 request; `errno` is 0 when netlink itself could not be used. */
export class Nl80211Error extends Error {
  constructor(
    what: string,
    readonly errno: number,
  ) {
    super(errno ? `${what}: errno ${errno}` : `${what}: netlink is not usable`);
  }
}

/** Walks the attributes of `bytes` from `off`, handing each its own bytes. */
function attrs(bytes: Uint8Array, off: number, each: (type: number, data: Uint8Array) => void): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  forEachAttr(view, off, bytes.length, (type, d, len) => each(type, bytes.subarray(d, d + len)));
}

const u16 = (b: Uint8Array) => (b.length >= 2 ? new DataView(b.buffer, b.byteOffset).getUint16(0, true) : 0);
const u32 = (b: Uint8Array) => (b.length >= 4 ? new DataView(b.buffer, b.byteOffset).getUint32(0, true) : 0);
/** A u64 as Go's int(nlenc.Uint64) holds it: past 2^63 it turns negative. */
const u64 = (b: Uint8Array) => (b.length >= 8 ? Number(BigInt.asIntN(64, new DataView(b.buffer, b.byteOffset).getBigUint64(0, true))) : 0);

/** Each message is a genlmsghdr (4 bytes) and its attributes. */
const GENL_HEADER = 4;

/** One NL80211_CMD_NEW_INTERFACE message of the interface dump. */
export function parseInterface(msg: Uint8Array): WifiInterface {
  const ifi: WifiInterface = { index: 0, name: "", hardwareAddr: new Uint8Array(), type: 0, frequency: 0 };
  attrs(msg, GENL_HEADER, (type, data) => {
    switch (type) {
      case ATTR.IFINDEX: ifi.index = u32(data); break;
      case ATTR.IFNAME: ifi.name = new TextDecoder().decode(data).replace(/\0$/, ""); break;
      case ATTR.MAC: ifi.hardwareAddr = data.slice(); break;
      case ATTR.IFTYPE: ifi.type = u32(data); break;
      case ATTR.WIPHY_FREQ: ifi.frequency = u32(data); break;
    }
  });
  return ifi;
}

/** The SSID of an 802.11 information elements blob (id, length, data triples); malformed ones fail. */
function ssidOf(ies: Uint8Array): string {
  let ssid = "";
  for (let i = 0; i < ies.length; ) {
    if (ies.length - i < 2 || ies.length - i - 2 < ies[i + 1]!) throw new Error("invalid 802.11 information element");
    const data = ies.subarray(i + 2, i + 2 + ies[i + 1]!);
    if (ies[i] === IE_SSID) ssid = decodeRunes(data);
    i += 2 + data.length;
  }
  return ssid;
}

/** The first BSS of the scan dump that carries a status: the one the interface is joined to. */
export function parseBss(msgs: Uint8Array[]): WifiBss | null {
  for (const msg of msgs) {
    let found: WifiBss | null = null;
    attrs(msg, GENL_HEADER, (type, nested) => {
      if (type !== ATTR.BSS || found) return;
      let hasStatus = false;
      const bss: WifiBss = { bssid: new Uint8Array(), ssid: "", status: 0 };
      attrs(nested, 0, (t, data) => {
        switch (t) {
          case BSS.BSSID: bss.bssid = data.slice(); break;
          case BSS.STATUS: bss.status = u32(data); hasStatus = true; break;
          case BSS.INFORMATION_ELEMENTS: bss.ssid = ssidOf(data); break;
        }
      });
      if (hasStatus) found = bss;
    });
    if (found) return found;
  }
  return null;
}

/** NL80211_RATE_INFO_* nested attributes to bits per second: the 32-bit rate, else the 16-bit one (100 kbit/s units). */
function bitrate(nested: Uint8Array): number {
  let rate = 0;
  attrs(nested, 0, (type, data) => {
    if (type === RATE_INFO.BITRATE32) rate = u32(data);
    else if (type === RATE_INFO.BITRATE && rate === 0) rate = u16(data);
  });
  return rate * 100 * 1000;
}

/** One NL80211_CMD_NEW_STATION message of the station dump; null when it has no station info. */
export function parseStation(msg: Uint8Array): WifiStation | null {
  let mac = new Uint8Array();
  let info: WifiStation | null = null;
  attrs(msg, GENL_HEADER, (type, data) => {
    // mdlayher/wifi stops at the first station info: a MAC after it is not read
    if (info) return;
    if (type === ATTR.MAC) mac = data.slice();
    if (type === ATTR.STA_INFO) info = parseStationInfo(data, mac);
  });
  return info;
}

/** The station dump: none, or one message without station info, and mdlayher/wifi reports no stations at all. */
export function parseStations(msgs: Uint8Array[]): WifiStation[] | null {
  const stations = msgs.map(parseStation);
  return stations.length === 0 || stations.includes(null) ? null : (stations as WifiStation[]);
}

function parseStationInfo(nested: Uint8Array, hardwareAddr: Uint8Array): WifiStation {
  const s: WifiStation = {
    hardwareAddr,
    connectedSeconds: 0,
    inactiveSeconds: 0,
    receiveBitrate: 0,
    transmitBitrate: 0,
    receivedBytes: 0,
    transmittedBytes: 0,
    signal: 0,
    transmitRetries: 0,
    transmitFailed: 0,
    beaconLoss: 0,
  };
  attrs(nested, 0, (type, data) => {
    switch (type) {
      case STA_INFO.CONNECTED_TIME: s.connectedSeconds = u32(data); break;
      case STA_INFO.INACTIVE_TIME: s.inactiveSeconds = durationSeconds(u32(data) * 1e6); break; // ms
      case STA_INFO.RX_BYTES64: s.receivedBytes = u64(data); break;
      case STA_INFO.TX_BYTES64: s.transmittedBytes = u64(data); break;
      // the 32-bit counters only while no 64-bit one has set a value (mdlayher/wifi's order-dependent rule)
      case STA_INFO.RX_BYTES: if (s.receivedBytes === 0) s.receivedBytes = u32(data); break;
      case STA_INFO.TX_BYTES: if (s.transmittedBytes === 0) s.transmittedBytes = u32(data); break;
      case STA_INFO.SIGNAL: s.signal = data.length ? (data[0]! << 24) >> 24 : 0; break; // s8 dBm
      case STA_INFO.TX_RETRIES: s.transmitRetries = u32(data); break;
      case STA_INFO.TX_FAILED: s.transmitFailed = u32(data); break;
      case STA_INFO.BEACON_LOSS: s.beaconLoss = u32(data); break;
      case STA_INFO.RX_BITRATE: s.receiveBitrate = bitrate(data); break;
      case STA_INFO.TX_BITRATE: s.transmitBitrate = bitrate(data); break;
    }
  });
  return s;
}

/** The ifindex (and MAC, where known) that name the interface in a per-interface dump request. */
function interfaceAttrs(ifi: WifiInterface): Uint8Array[] {
  const index = new Uint8Array(4);
  new DataView(index.buffer).setUint32(0, ifi.index, true);
  const out = [attr(ATTR.IFINDEX, index)];
  if (ifi.hardwareAddr.length > 0) out.push(attr(ATTR.MAC, ifi.hardwareAddr));
  return out;
}

/** nl80211 on this host's kernel; null where the kernel has no nl80211 (no cfg80211: no WiFi). */
export function nl80211(): WifiSource | null {
  const family = genlFamilyId("nl80211");
  return family === null ? null : nl80211Source(family);
}

/** The requests of a WifiSource sent to generic netlink family `family` (nl80211's id on a live host). */
export function nl80211Source(family: number): WifiSource {
  const dump = (what: string, cmd: number, request: Uint8Array[]): Uint8Array[] => {
    const msgs: Uint8Array[] = [];
    let errno = 0;
    const copy = (view: DataView, off: number, end: number) => msgs.push(new Uint8Array(view.buffer, view.byteOffset + off, end - off).slice());
    if (!netlinkRequest(NETLINK_GENERIC, family, true, genlMessage(cmd, NL80211_VERSION, request), family, copy, (e) => (errno = e))) {
      throw new Nl80211Error(what, errno);
    }
    return msgs;
  };
  // ENOENT for one interface means "not there" (node_exporter's os.ErrNotExist), any other errno is a failure
  const unlessMissing = <T>(read: () => T): T | null => {
    try {
      return read();
    } catch (e) {
      if (e instanceof Nl80211Error && e.errno === ENOENT) return null;
      throw e;
    }
  };
  return {
    interfaces: () => dump("NL80211_CMD_GET_INTERFACE", CMD.GET_INTERFACE, []).map(parseInterface),
    bss: (ifi) => unlessMissing(() => parseBss(dump("NL80211_CMD_GET_SCAN", CMD.GET_SCAN, interfaceAttrs(ifi)))),
    stations: (ifi) => unlessMissing(() => parseStations(dump("NL80211_CMD_GET_STATION", CMD.GET_STATION, interfaceAttrs(ifi)))),
  };
}
