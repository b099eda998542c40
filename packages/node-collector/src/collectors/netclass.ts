import { flag, type MetricSet } from "@agent/core";
import { defineCollector, type NodePaths } from "../collector.ts";
import { dumpLinks, type Link } from "../netlink.ts";
import { listDir, readAttr, sysPath } from "../read.ts";

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
const staticCache = new Map<string, StaticInfo>();

interface Options {
  ignoredDevices?: RegExp;
  ignoreInvalidSpeed: boolean;
}

/** Static attributes of one device, re-read only when the name's ifindex changes (device recreated). */
function staticInfo(dir: string, ifindex: number | null): StaticInfo {
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

/** Family name and help per metric suffix, made once: a scrape adds ~25 samples per device through fam(). */
const familyNames = new Map<string, [name: string, help: string]>();

function fam(out: MetricSet, metric: string, kind: Kind) {
  let names = familyNames.get(metric);
  if (!names) familyNames.set(metric, (names = [`node_network_${metric}`, `Network device property: ${metric}`]));
  return out.family(names[0], kind, names[1]);
}

function emitSpeed(out: MetricSet, speed: number | null, labels: { device: string }, opts: Options): void {
  if (speed !== null && (speed >= 0 || !opts.ignoreInvalidSpeed)) {
    out.gauge("node_network_speed_bytes", "Network device property: speed_bytes", (speed * 1000 * 1000) / 8, labels);
  }
}

/** Every attribute from /sys/class/net (fixture trees, and hosts where netlink is unavailable). */
export function collectFromSysfs(out: MetricSet, paths: NodePaths, config: Options): void {
  const base = sysPath(paths, "class/net");
  const devices = listDir(base).sort();
  for (const device of devices) {
    if (config.ignoredDevices?.test(device)) continue;
    const dir = base + "/" + device + "/";
    const operstate = readAttr(dir + "operstate");
    if (operstate === null) continue; // bonding_masters and other plain files
    const ifindex = num(readAttr(dir + "ifindex"));
    const info = staticInfo(dir, ifindex);
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
export function collectFromNetlink(out: MetricSet, paths: NodePaths, links: readonly Link[], config: Options): void {
  const base = sysPath(paths, "class/net");
  for (const link of [...links].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const device = link.name;
    if (config.ignoredDevices?.test(device)) continue;
    const dir = base + "/" + device + "/";
    const flags = num(readAttr(dir + "flags"));
    if (flags === null) continue; // vanished between the dump and now
    const info = staticInfo(dir, link.index);
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

export const netclass = defineCollector({
  name: "netclass",
  defaultEnabled: true,
  flags: {
    ignoredDevices: flag.regex("collector.netclass.ignored-devices", "^$", "Regexp of net devices to ignore for netclass collector."),
    ignoreInvalidSpeed: flag.bool("collector.netclass.ignore-invalid-speed", false, "Ignore devices where the speed is invalid. This will be the default behavior in 2.x."),
  },
  collect(out, { paths, config, scrape }) {
    const links = paths.sysfs === "/sys" ? scrape.once(dumpLinks) : null;
    if (links) collectFromNetlink(out, paths, links, config);
    else collectFromSysfs(out, paths, config);
  },
});
