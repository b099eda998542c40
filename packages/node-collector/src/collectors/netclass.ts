import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
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

export const netclass = defineCollector({
  name: "netclass",
  defaultEnabled: true,
  flags: {
    ignoredDevices: flag.regex("collector.netclass.ignored-devices", "^$", "Regexp of net devices to ignore for netclass collector."),
    ignoreInvalidSpeed: flag.bool("collector.netclass.ignore-invalid-speed", false, "Ignore devices where the speed is invalid. This will be the default behavior in 2.x."),
  },
  collect(out, { paths, config }) {
    const base = sysPath(paths, "class/net");
    const devices = listDir(base).sort();
    const fam = (metric: string, kind: Kind) => out.family(`node_network_${metric}`, kind, `Network device property: ${metric}`);
    for (const device of devices) {
      if (config.ignoredDevices?.test(device)) continue;
      const dir = base + "/" + device + "/";
      const operstate = readAttr(dir + "operstate");
      if (operstate === null) continue; // bonding_masters and other plain files
      const ifindex = num(readAttr(dir + "ifindex"));
      const cacheKey = dir;
      let info = staticCache.get(cacheKey);
      if (!info || info.ifindex !== ifindex) {
        info = {
          ifindex: ifindex ?? -1,
          values: STATIC_ATTRS.map(([attr]) => num(readAttr(dir + attr))),
          broadcast: readAttr(dir + "broadcast") ?? "",
        };
        staticCache.set(cacheKey, info);
      }
      const flags = num(readAttr(dir + "flags"));
      const up = flags !== null && (flags & IFF_UP) !== 0;
      const labels = { device };
      out.gauge("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", 1, {
        address: readAttr(dir + "address") ?? "",
        broadcast: info.broadcast,
        device,
        duplex: (up && readAttr(dir + "duplex")) || "",
        ifalias: readAttr(dir + "ifalias") ?? "",
        operstate,
      });
      out.gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", operstate === "up" ? 1 : 0, labels);
      if (ifindex !== null) fam("iface_id", "gauge").add(ifindex, labels);
      if (flags !== null) fam("flags", "gauge").add(flags, labels);
      STATIC_ATTRS.forEach(([, metric, kind], i) => {
        const v = info.values[i];
        if (v !== null && v !== undefined) fam(metric, kind).add(v, labels);
      });
      for (const [attr, metric, kind] of up ? [...DYNAMIC_ATTRS, ...UP_ONLY_ATTRS] : DYNAMIC_ATTRS) {
        const v = num(readAttr(dir + attr));
        if (v !== null) fam(metric, kind).add(v, labels);
      }
      const speed = up ? num(readAttr(dir + "speed")) : null;
      if (speed !== null && (speed >= 0 || !config.ignoreInvalidSpeed)) {
        out.gauge("node_network_speed_bytes", "Network device property: speed_bytes", (speed * 1000 * 1000) / 8, labels);
      }
    }
  },
});
