import { statSync } from "node:fs";
import { flag, type MetricSet } from "@agent/core";
import { defineCollector, type NodePaths } from "../collector.ts";
import { dumpLinkModes } from "../ethtool-netlink.ts";
import { dumpLinks, type Link, type Stats64 } from "../netlink.ts";
import { listSourceDir, readAttr, sysPath } from "../read.ts";

type Kind = "gauge" | "counter";
/** sysfs attribute -> metric suffix, type. */
type Attr = [attr: string, metric: string, kind: Kind];

/** Fixed for a device's lifetime: read once per (name, ifindex), since a scrape reads ~20 files per device. */
const STATIC_ATTRS: Attr[] = [
  ["addr_assign_type", "address_assign_type", "gauge"],
  ["dev_id", "device_id", "gauge"],
  ["iflink", "iface_link", "gauge"],
  ["name_assign_type", "name_assign_type", "gauge"],
  ["type", "protocol_type", "gauge"],
];
const DYNAMIC_ATTRS: Attr[] = [
  ["carrier_changes", "carrier_changes_total", "counter"],
  ["carrier_up_count", "carrier_up_changes_total", "counter"],
  ["carrier_down_count", "carrier_down_changes_total", "counter"],
  ["link_mode", "iface_link_mode", "gauge"],
  ["mtu", "mtu_bytes", "gauge"],
  ["netdev_group", "net_dev_group", "gauge"],
  ["tx_queue_len", "transmit_queue_length", "gauge"],
];
/** The kernel answers EINVAL for these unless the device is up (IFF_UP), so they are not even tried then. */
const UP_ONLY_ATTRS: Attr[] = [
  ["carrier", "carrier", "gauge"],
  ["dormant", "dormant", "gauge"],
];
const IFF_UP = 1;
const IFF_DORMANT = 0x20000;

function num(s: string | null): number | null {
  if (s === null || s === "") return null;
  const n = s.startsWith("0x") ? parseInt(s.slice(2), 16) : Number(s);
  return Number.isNaN(n) ? null : n;
}

interface StaticInfo {
  ifindex: number;
  values: (number | null)[];
  broadcast: string;
}
/** Per device directory, its static attributes (an instance's, kept between scrapes). */
export type StaticCache = Map<string, StaticInfo>;

interface Options {
  ignoredDevices?: RegExp;
  ignoreInvalidSpeed: boolean;
}

/** Static attributes of one device, re-read only when the name's ifindex changes (device recreated). */
function staticInfo(dir: string, ifindex: number | null, staticCache: StaticCache): StaticInfo {
  let info = staticCache.get(dir);
  if (!info || info.ifindex !== ifindex) {
    info = {
      ifindex: ifindex ?? -1,
      values: STATIC_ATTRS.map(([attr]) => num(readAttr(dir + attr))),
      broadcast: readAttr(dir + "broadcast") ?? "",
    };
    staticCache.set(dir, info);
  }
  return info;
}

/** The family of one `node_network_<metric>` attribute. */
function fam(out: MetricSet, metric: string, kind: Kind) {
  return out.family(`node_network_${metric}`, kind, `Network device property: ${metric}`);
}

function emitSpeed(out: MetricSet, speed: number | null, labels: { device: string }, opts: Options): void {
  if (speed !== null && (speed >= 0 || !opts.ignoreInvalidSpeed)) {
    out.gauge("node_network_speed_bytes", "Network device property: speed_bytes", (speed * 1000 * 1000) / 8, labels);
  }
}

/** Every attribute from /sys/class/net (fixture trees, and hosts where netlink is unavailable). */
export function collectFromSysfs(out: MetricSet, paths: NodePaths, config: Options, statics: StaticCache): void {
  const base = sysPath(paths, "class/net");
  const devices = listSourceDir(base).sort();
  for (const device of devices) {
    if (config.ignoredDevices?.test(device)) continue;
    const dir = base + "/" + device + "/";
    let operstate = readAttr(dir + "operstate");
    if (operstate === null) {
      // bonding_masters and other plain files are no devices; a directory without the attribute is one, shown
      // with empty values as node_exporter shows it
      if (!statSync(base + "/" + device, { throwIfNoEntry: false })?.isDirectory()) continue;
      operstate = "";
    }
    const ifindex = num(readAttr(dir + "ifindex"));
    const info = staticInfo(dir, ifindex, statics);
    const flags = num(readAttr(dir + "flags"));
    const up = flags !== null && (flags & IFF_UP) !== 0;
    const labels = { device };
    out.gauge("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", 1, {
      address: readAttr(dir + "address") ?? "",
      adminstate: flags === null ? "unknown" : up ? "up" : "down",
      broadcast: info.broadcast,
      device,
      duplex: (up && readAttr(dir + "duplex")) || "",
      ifalias: readAttr(dir + "ifalias") ?? "",
      operstate,
    });
    out.gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", operstate === "up" ? 1 : 0, labels);
    if (ifindex !== null) fam(out, "iface_id", "gauge").add(ifindex, labels);
    if (flags !== null) fam(out, "flags", "gauge").add(flags, labels);
    STATIC_ATTRS.forEach(([, metric, kind], i) => {
      const v = info.values[i];
      if (v !== null && v !== undefined) fam(out, metric, kind).add(v, labels);
    });
    for (const [attr, metric, kind] of up ? [...DYNAMIC_ATTRS, ...UP_ONLY_ATTRS] : DYNAMIC_ATTRS) {
      const v = num(readAttr(dir + attr));
      if (v !== null) fam(out, metric, kind).add(v, labels);
    }
    const speed = up ? num(readAttr(dir + "speed")) : null;
    emitSpeed(out, speed, labels, config);
  }
}

/**
 * The same series from one RTM_GETLINK dump plus the few attributes netlink lacks: sysfs flags (the dump's
 * differ for promiscuous bridge ports), and duplex and speed of devices that are up. 1 to 3 reads per device
 * instead of ~20.
 */
export function collectFromNetlink(out: MetricSet, paths: NodePaths, links: readonly Link[], config: Options, statics: StaticCache): void {
  const base = sysPath(paths, "class/net");
  for (const link of [...links].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const device = link.name;
    if (config.ignoredDevices?.test(device)) continue;
    const dir = base + "/" + device + "/";
    const flags = num(readAttr(dir + "flags"));
    if (flags === null) continue; // vanished between the dump and now
    const info = staticInfo(dir, link.index, statics);
    const up = (flags & IFF_UP) !== 0;
    const labels = { device };
    out.gauge("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", 1, {
      address: link.address ?? "",
      adminstate: up ? "up" : "down",
      broadcast: info.broadcast,
      device,
      duplex: (up && readAttr(dir + "duplex")) || "",
      ifalias: link.ifalias,
      operstate: link.operstate,
    });
    out.gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", link.operstate === "up" ? 1 : 0, labels);
    fam(out, "iface_id", "gauge").add(link.index, labels);
    fam(out, "flags", "gauge").add(flags, labels);
    STATIC_ATTRS.forEach(([attr, metric, kind], i) => {
      // iflink and type come with the dump; the rest is cached sysfs
      const v = attr === "iflink" ? link.iflink : attr === "type" ? link.type : info.values[i];
      if (v !== null && v !== undefined) fam(out, metric, kind).add(v, labels);
    });
    const dynamic: Record<string, number | undefined> = {
      carrier_changes: link.carrierChanges,
      carrier_up_count: link.carrierUp,
      carrier_down_count: link.carrierDown,
      link_mode: link.linkmode,
      mtu: link.mtu,
      netdev_group: link.group,
      tx_queue_len: link.txqlen,
    };
    for (const [attr, metric, kind] of DYNAMIC_ATTRS) {
      const v = dynamic[attr];
      if (v !== undefined) fam(out, metric, kind).add(v, labels);
    }
    if (up) {
      if (link.carrier !== undefined) fam(out, "carrier", "gauge").add(link.carrier, labels);
      // sysfs dormant is netif_dormant(), which the dump's flags carry as IFF_DORMANT while the device is up
      fam(out, "dormant", "gauge").add(link.flags & IFF_DORMANT ? 1 : 0, labels);
      emitSpeed(out, num(readAttr(dir + "speed")), labels, config);
    }
  }
}

/** rtnl_link_stats64 fields as --collector.netclass_rtnl.with-stats names them. */
const RTNL_STATS: [field: keyof Stats64, metric: string][] = [
  ["rx_packets", "receive_packets_total"], ["tx_packets", "transmit_packets_total"], ["rx_bytes", "receive_bytes_total"],
  ["tx_bytes", "transmit_bytes_total"], ["rx_errors", "receive_errors_total"], ["tx_errors", "transmit_errors_total"],
  ["rx_dropped", "receive_dropped_total"], ["tx_dropped", "transmit_dropped_total"], ["multicast", "multicast_total"],
  ["collisions", "collisions_total"], ["rx_length_errors", "receive_length_errors_total"], ["rx_over_errors", "receive_over_errors_total"],
  ["rx_crc_errors", "receive_crc_errors_total"], ["rx_frame_errors", "receive_frame_errors_total"], ["rx_fifo_errors", "receive_fifo_errors_total"],
  ["rx_missed_errors", "receive_missed_errors_total"], ["tx_aborted_errors", "transmit_aborted_errors_total"],
  ["tx_carrier_errors", "transmit_carrier_errors_total"], ["tx_fifo_errors", "transmit_fifo_errors_total"],
  ["tx_heartbeat_errors", "transmit_heartbeat_errors_total"], ["tx_window_errors", "transmit_window_errors_total"],
  ["rx_compressed", "receive_compressed_total"], ["tx_compressed", "transmit_compressed_total"], ["rx_nohandler", "receive_nohandler_total"],
];

/**
 * --collector.netclass.netlink: node_exporter's other netclass, built from the RTM_GETLINK dump and ethtool
 * netlink link modes plus three sysfs attributes. Its differences from the sysfs mode are node_exporter's and
 * kept: another info help text, carrier even for devices that are down, dormant carrying the link mode, and
 * speed_bytes from ethtool (SPEED_UNKNOWN included, as 1.8.2 sends it) instead of sysfs.
 */
function collectRtnl(out: MetricSet, links: readonly Link[], config: Options & { withStats: boolean }): void {
  const modes = dumpLinkModes();
  const duplex = new Map<string, string>();
  for (const lm of (modes ?? []).sort((a, b) => (a.device < b.device ? -1 : a.device > b.device ? 1 : 0))) {
    if (config.ignoredDevices?.test(lm.device)) continue;
    fam(out, "speed_bytes", "gauge").add(Math.trunc((lm.speedMegabits * 1000 * 1000) / 8), { device: lm.device });
    duplex.set(lm.device, lm.duplex);
  }
  for (const link of [...links].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const device = link.name;
    if (config.ignoredDevices?.test(device)) continue;
    const labels = { device };
    out.gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", link.operstate === "up" ? 1 : 0, labels);
    out.gauge("node_network_info", "Non-numeric data of <iface>, value is always 1.", 1, {
      address: link.address ?? "",
      broadcast: link.broadcast ?? "",
      device,
      duplex: duplex.get(device) ?? "",
      ifalias: link.ifalias,
      operstate: link.operstate,
    });
    // the three attributes netlink lacks, from the live /sys as node_exporter reads them
    const dir = `/sys/class/net/${device}/`;
    const values: [metric: string, kind: Kind, value: number | null | undefined][] = [
      ["address_assign_type", "gauge", num(readAttr(dir + "addr_assign_type"))],
      ["carrier", "gauge", link.carrier],
      ["carrier_changes_total", "counter", link.carrierChanges],
      ["carrier_up_changes_total", "counter", link.carrierUp],
      ["carrier_down_changes_total", "counter", link.carrierDown],
      ["device_id", "gauge", num(readAttr(dir + "dev_id"))],
      ["flags", "gauge", link.flags],
      ["iface_id", "gauge", link.index],
      ["iface_link_mode", "gauge", link.linkmode],
      ["dormant", "gauge", link.linkmode],
      ["iface_link", "gauge", link.iflink > 0 ? link.iflink : link.index],
      ["mtu_bytes", "gauge", link.mtu],
      ["name_assign_type", "gauge", num(readAttr(dir + "name_assign_type"))],
      ["net_dev_group", "gauge", link.group],
      ["transmit_queue_length", "gauge", link.txqlen],
      ["protocol_type", "gauge", link.type],
    ];
    for (const [metric, kind, v] of values) if (v !== null && v !== undefined) fam(out, metric, kind).add(v, labels);
    if (!config.withStats || !link.stats) continue;
    // gauges, as node_exporter types them
    for (const [field, metric] of RTNL_STATS) fam(out, metric, "gauge").add(link.stats[field] ?? 0, labels);
  }
}

export const netclass = defineCollector({
  name: "netclass",
  defaultEnabled: true,
  flags: {
    ignoredDevices: flag.regex("collector.netclass.ignored-devices", "^$", "Regexp of net devices to ignore for netclass collector."),
    ignoreInvalidSpeed: flag.bool("collector.netclass.ignore-invalid-speed", false, "Ignore devices where the speed is invalid. This will be the default behavior in 2.x."),
    netlink: flag.bool("collector.netclass.netlink", false, "Use netlink to gather stats instead of /proc/net/dev."),
    withStats: flag.bool("collector.netclass_rtnl.with-stats", false, "Expose the statistics for each network device, replacing netdev collector."),
  },
  create({ paths, config }) {
    const statics: StaticCache = new Map();
    return {
      collect(out, { scrape }) {
        if (config.netlink) {
          const links = scrape.once(dumpLinks);
          if (!links) throw new Error("could not get net class info over rtnetlink");
          collectRtnl(out, links, config);
          return;
        }
        const links = paths.sysfs === "/sys" ? scrape.once(dumpLinks) : null;
        if (links) collectFromNetlink(out, paths, links, config, statics);
        else collectFromSysfs(out, paths, config, statics);
      },
    };
  },
});
