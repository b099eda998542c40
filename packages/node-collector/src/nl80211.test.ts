// nl80211 replies as the kernel lays them out (linux/nl80211.h): a genlmsghdr, then netlink attributes, some
// nested. No WiFi hardware exists here, so these are real-format replays of what a station-mode laptop's
// kernel sends, including attributes the collector does not read.
import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { attr, genlMessage } from "./genetlink.ts";
import { ATTR, BSS, CMD, Nl80211Error, nl80211Source, parseBss, parseInterface, parseStation, parseStations, RATE_INFO, STA_INFO, type WifiStation } from "./nl80211.ts";
import { FIXTURES } from "./testing/golden.ts";
import { wifiFixtures } from "./wifi-fixtures.ts";

const NLA_F_NESTED = 0x8000;
const u8 = (v: number) => Uint8Array.of(v & 0xff);
const u16 = (v: number) => Uint8Array.of(v & 0xff, v >> 8);
const u32 = (v: number) => {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
};
const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const nest = (type: number, attrs: Uint8Array[]) => attr(type | NLA_F_NESTED, genlMessage(0, 0, attrs).subarray(4));
const macOf = (s: string) => Uint8Array.from(s.split(":").map((h) => parseInt(h, 16)));
const ies = (...elems: [id: number, data: Uint8Array][]) => Uint8Array.from(elems.flatMap(([id, d]) => [id, d.length, ...d]));
const text = (s: string) => new TextEncoder().encode(s);

// Attributes nl80211 sends that neither mdlayher/wifi nor the collector reads.
const ATTR_WIPHY = 1;
const ATTR_GENERATION = 46;
const ATTR_WDEV = 153;
const ATTR_TXPOWER_LEVEL = 98;
const BSS_FREQUENCY = 2;
const BSS_TSF = 3;
const BSS_BEACON_INTERVAL = 4;
const BSS_SIGNAL_MBM = 7;
const BSS_SEEN_MS_AGO = 10;
const STA_INFO_RX_PACKETS = 9;
const STA_INFO_STA_FLAGS = 17;
const STA_INFO_CHAIN_SIGNAL = 25;
const RATE_INFO_MCS = 2;

const fixtures = wifiFixtures(join(FIXTURES, "wifi"));

describe("nl80211 interface dump (NL80211_CMD_NEW_INTERFACE messages)", () => {
  test("a station interface written out byte for byte: index, name, MAC, type and frequency; the rest skipped", () => {
    const msg = Uint8Array.from([
      0x07, 0x01, 0x00, 0x00, // genlmsghdr: cmd NL80211_CMD_NEW_INTERFACE, version 1
      0x08, 0x00, 0x03, 0x00, 0x03, 0x00, 0x00, 0x00, // NL80211_ATTR_IFINDEX 3
      0x0a, 0x00, 0x04, 0x00, 0x77, 0x6c, 0x61, 0x6e, 0x30, 0x00, 0x00, 0x00, // NL80211_ATTR_IFNAME "wlan0\0", padded
      0x08, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, // NL80211_ATTR_WIPHY 0
      0x08, 0x00, 0x05, 0x00, 0x02, 0x00, 0x00, 0x00, // NL80211_ATTR_IFTYPE station
      0x0c, 0x00, 0x99, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // NL80211_ATTR_WDEV 1 (u64)
      0x0a, 0x00, 0x06, 0x00, 0x00, 0x11, 0x22, 0x33, 0x44, 0x56, 0x00, 0x00, // NL80211_ATTR_MAC, padded
      0x08, 0x00, 0x2e, 0x00, 0x05, 0x00, 0x00, 0x00, // NL80211_ATTR_GENERATION 5
      0x08, 0x00, 0x26, 0x00, 0x6c, 0x09, 0x00, 0x00, // NL80211_ATTR_WIPHY_FREQ 2412
    ]);
    expect(parseInterface(msg)).toEqual({ index: 3, name: "wlan0", hardwareAddr: macOf("00:11:22:33:44:56"), type: 2, frequency: 2412 });
  });

  test("the fixtures' interfaces, as the kernel would send them, decode to what the fixture JSON gives", () => {
    const dump = [
      genlMessage(CMD.NEW_INTERFACE, 1, [attr(ATTR.IFNAME, text("wlan0\0")), attr(ATTR.IFTYPE, u32(2)), attr(ATTR.WIPHY_FREQ, u32(2412))]),
      // an access point on 5 GHz, with a nested attribute the collector does not read
      genlMessage(CMD.NEW_INTERFACE, 1, [attr(ATTR.IFNAME, text("wlan1\0")), attr(ATTR.IFTYPE, u32(3)), nest(ATTR_TXPOWER_LEVEL, [attr(1, u32(2000))]), attr(ATTR.WIPHY_FREQ, u32(5180))]),
      // a P2P device: no netdev, so no name and no frequency
      genlMessage(CMD.NEW_INTERFACE, 1, [attr(ATTR_WIPHY, u32(0)), attr(ATTR.IFTYPE, u32(10)), attr(ATTR_WDEV, u64(2n))]),
    ];
    expect(dump.map(parseInterface)).toEqual(fixtures.interfaces());
  });
});

describe("nl80211 scan dump (NL80211_CMD_NEW_SCAN_RESULTS messages)", () => {
  const bss = (attrs: Uint8Array[]) => genlMessage(CMD.NEW_SCAN_RESULTS, 1, [attr(ATTR_GENERATION, u32(9)), attr(ATTR.IFINDEX, u32(3)), attr(ATTR_WDEV, u64(1n)), nest(ATTR.BSS, attrs)]);
  const neighbour = bss([
    attr(BSS.BSSID, macOf("66:77:88:99:aa:bb")),
    attr(BSS_FREQUENCY, u32(2437)),
    attr(BSS.INFORMATION_ELEMENTS, ies([0, text("Neighbour")])),
    attr(BSS_SIGNAL_MBM, u32(-7000 >>> 0)),
  ]);
  const joined = bss([
    attr(BSS.BSSID, macOf("00:11:22:33:44:55")),
    attr(BSS_FREQUENCY, u32(2412)),
    attr(BSS_TSF, u64(123456789n)),
    attr(BSS_BEACON_INTERVAL, u16(100)),
    // SSID, supported rates, DS parameter set
    attr(BSS.INFORMATION_ELEMENTS, ies([0, text("Example")], [1, Uint8Array.of(0x82, 0x84, 0x8b, 0x96)], [3, u8(1)])),
    attr(BSS_SIGNAL_MBM, u32(-5200 >>> 0)),
    attr(BSS.STATUS, u32(1)),
    attr(BSS_SEEN_MS_AGO, u32(40)),
  ]);

  test("the entry with NL80211_BSS_STATUS is the interface's BSS, whatever comes before it", () => {
    expect(parseBss([neighbour, joined])).toEqual(fixtures.bss(fixtures.interfaces()[0]!)!);
    expect(parseBss([joined, neighbour])!.ssid).toBe("Example");
  });

  test("no entry with a status (scanned but not joined) is no BSS", () => {
    expect(parseBss([neighbour])).toBeNull();
    expect(parseBss([])).toBeNull();
  });

  test("an SSID that is not UTF-8 gets one U+FFFD per bad byte, as Go's rune loop writes it", () => {
    const msg = bss([attr(BSS.INFORMATION_ELEMENTS, ies([0, Uint8Array.of(0x63, 0x61, 0x66, 0xc3, 0xa9, 0xff, 0xfe)])), attr(BSS.STATUS, u32(2))]);
    expect(parseBss([msg])).toEqual({ bssid: new Uint8Array(), ssid: "café\ufffd\ufffd", status: 2 });
  });

  test("malformed information elements fail, as mdlayher/wifi fails them", () => {
    const msg = bss([attr(BSS.INFORMATION_ELEMENTS, Uint8Array.of(0, 9, 0x41)), attr(BSS.STATUS, u32(1))]);
    expect(() => parseBss([msg])).toThrow("invalid 802.11 information element");
  });
});

describe("nl80211 station dump (NL80211_CMD_NEW_STATION messages)", () => {
  const rate = (type: number, attrs: Uint8Array[]) => nest(type, attrs);
  const station = (mac: string, info: Uint8Array[]) => genlMessage(CMD.NEW_STATION, 1, [attr(ATTR.IFINDEX, u32(3)), attr(ATTR.MAC, macOf(mac)), attr(ATTR_GENERATION, u32(9)), nest(ATTR.STA_INFO, info)]);
  const fixtureStations = fixtures.stations(fixtures.interfaces()[0]!)!;

  test("the fixtures' stations, as the kernel would send them, decode to what the fixture JSON gives", () => {
    const dump = [
      station("aa:bb:cc:dd:ee:ff", [
        attr(STA_INFO.INACTIVE_TIME, u32(400)),
        attr(STA_INFO.RX_BYTES, u32(123456)),
        attr(STA_INFO.RX_BYTES64, u64(123456n)),
        attr(STA_INFO_RX_PACKETS, u32(300)),
        attr(STA_INFO.SIGNAL, u8(-52)),
        nest(STA_INFO_CHAIN_SIGNAL, [attr(0, u8(-50)), attr(1, u8(-55))]),
        rate(STA_INFO.TX_BITRATE, [attr(RATE_INFO.BITRATE, u16(1640)), attr(RATE_INFO_MCS, u8(7)), attr(RATE_INFO.BITRATE32, u32(1640))]),
        rate(STA_INFO.RX_BITRATE, [attr(RATE_INFO.BITRATE, u16(1280)), attr(RATE_INFO.BITRATE32, u32(1280))]),
        attr(STA_INFO.TX_RETRIES, u32(10)),
        attr(STA_INFO.TX_FAILED, u32(2)),
        attr(STA_INFO.CONNECTED_TIME, u32(30)),
        attr(STA_INFO_STA_FLAGS, new Uint8Array(8)),
        attr(STA_INFO.BEACON_LOSS, u32(1)),
      ]),
      // an older driver: 32-bit byte counters and 16-bit rates only
      station("01:02:03:04:05:06", [
        attr(STA_INFO.INACTIVE_TIME, u32(800)),
        attr(STA_INFO.TX_BYTES, u32(654321)),
        attr(STA_INFO.SIGNAL, u8(-26)),
        rate(STA_INFO.TX_BITRATE, [attr(RATE_INFO.BITRATE, u16(3280))]),
        rate(STA_INFO.RX_BITRATE, [attr(RATE_INFO.BITRATE, u16(2560))]),
        attr(STA_INFO.TX_RETRIES, u32(20)),
        attr(STA_INFO.TX_FAILED, u32(4)),
        attr(STA_INFO.CONNECTED_TIME, u32(60)),
        attr(STA_INFO.BEACON_LOSS, u32(2)),
      ]),
    ];
    expect(parseStations(dump)).toEqual(fixtureStations);
  });

  const info = (attrs: Uint8Array[]): WifiStation => parseStation(station("aa:bb:cc:dd:ee:ff", attrs))!;

  test("64-bit byte counters win over 32-bit ones that wrapped, in either order", () => {
    const wrapped = 5n * 2n ** 32n + 7n;
    expect(info([attr(STA_INFO.RX_BYTES, u32(7)), attr(STA_INFO.RX_BYTES64, u64(wrapped))]).receivedBytes).toBe(Number(wrapped));
    expect(info([attr(STA_INFO.TX_BYTES64, u64(wrapped)), attr(STA_INFO.TX_BYTES, u32(7))]).transmittedBytes).toBe(Number(wrapped));
    // mdlayher/wifi only keeps a 32-bit value while the field is zero: a zero 64-bit counter does not hold it off
    expect(info([attr(STA_INFO.RX_BYTES64, u64(0n)), attr(STA_INFO.RX_BYTES, u32(7))]).receivedBytes).toBe(7);
  });

  test("bitrates: the 32-bit rate wins, the 16-bit one serves alone, units of 100 kbit/s become bit/s", () => {
    const rx = (attrs: Uint8Array[]) => info([rate(STA_INFO.RX_BITRATE, attrs)]).receiveBitrate;
    // 802.11ax at 4.8 Gbit/s: too fast for the u16, which the kernel then leaves out
    expect(rx([attr(RATE_INFO.BITRATE32, u32(48039))])).toBe(4_803_900_000);
    expect(rx([attr(RATE_INFO.BITRATE, u16(540))])).toBe(54_000_000);
    expect(rx([attr(RATE_INFO.BITRATE, u16(1)), attr(RATE_INFO.BITRATE32, u32(8667))])).toBe(866_700_000);
    expect(rx([attr(RATE_INFO.BITRATE32, u32(8667)), attr(RATE_INFO.BITRATE, u16(1))])).toBe(866_700_000);
    expect(rx([])).toBe(0);
  });

  test("times: connected in seconds, inactive in milliseconds; signal is a signed byte", () => {
    const s = info([attr(STA_INFO.CONNECTED_TIME, u32(4_000_000_000)), attr(STA_INFO.INACTIVE_TIME, u32(1234)), attr(STA_INFO.SIGNAL, u8(0x80))]);
    expect([s.connectedSeconds, s.inactiveSeconds, s.signal]).toEqual([4_000_000_000, 1.234, -128]);
  });

  test("the MAC before the station info names the station; one after it is not read", () => {
    const msg = genlMessage(CMD.NEW_STATION, 1, [nest(ATTR.STA_INFO, [attr(STA_INFO.CONNECTED_TIME, u32(1))]), attr(ATTR.MAC, macOf("aa:bb:cc:dd:ee:ff"))]);
    expect(parseStation(msg)!.hardwareAddr).toEqual(new Uint8Array());
  });

  test("no stations, or a message without station info, is no station list", () => {
    expect(parseStations([])).toBeNull();
    const bare = genlMessage(CMD.NEW_STATION, 1, [attr(ATTR.MAC, macOf("aa:bb:cc:dd:ee:ff"))]);
    expect(parseStations([station("01:02:03:04:05:06", [attr(STA_INFO.CONNECTED_TIME, u32(1))]), bare])).toBeNull();
  });

  test("a station info attribute cut short is not read past the message's end", () => {
    const msg = station("aa:bb:cc:dd:ee:ff", [attr(STA_INFO.CONNECTED_TIME, u32(9))]);
    expect(parseStation(msg)!.connectedSeconds).toBe(9);
    expect(parseStation(msg.slice(0, msg.length - 2))).toBeNull();
  });
});

describe("nl80211 requests on the live kernel", () => {
  // This host has no nl80211; the generic netlink controller (id 0x10) stands in for it: it has none of
  // nl80211's commands, so the kernel answers each request with an error, as nl80211 answers one it refuses.
  const EOPNOTSUPP = 95;
  const refused = (read: () => unknown) => {
    try {
      read();
    } catch (e) {
      return e instanceof Nl80211Error ? e.errno : e;
    }
    return "no error";
  };

  test("an errno other than ENOENT is an error for the interface list, the BSS and the stations alike", () => {
    const source = nl80211Source(0x10);
    const ifi = { index: 1, name: "lo", hardwareAddr: new Uint8Array(6), type: 2, frequency: 0 };
    expect([refused(() => source.interfaces()), refused(() => source.bss(ifi)), refused(() => source.stations(ifi))]).toEqual([EOPNOTSUPP, EOPNOTSUPP, EOPNOTSUPP]);
    expect(() => source.interfaces()).toThrow("NL80211_CMD_GET_INTERFACE: errno 95");
  });
});
