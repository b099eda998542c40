import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listDir, readAttr, sysPath } from "../read.ts";

type Kind = "gauge" | "counter";
/** sysfs attribute -> metric suffix, type; numbers in hex (0x...) are parsed as such. */
const ATTRS: [attr: string, metric: string, kind: Kind][] = [
  ["addr_assign_type", "address_assign_type", "gauge"],
  ["carrier", "carrier", "gauge"],
  ["carrier_changes", "carrier_changes_total", "counter"],
  ["carrier_up_count", "carrier_up_changes_total", "counter"],
  ["carrier_down_count", "carrier_down_changes_total", "counter"],
  ["dev_id", "device_id", "gauge"],
  ["dormant", "dormant", "gauge"],
  ["flags", "flags", "gauge"],
  ["ifindex", "iface_id", "gauge"],
  ["iflink", "iface_link", "gauge"],
  ["link_mode", "iface_link_mode", "gauge"],
  ["mtu", "mtu_bytes", "gauge"],
  ["name_assign_type", "name_assign_type", "gauge"],
  ["netdev_group", "net_dev_group", "gauge"],
  ["type", "protocol_type", "gauge"],
  ["tx_queue_len", "transmit_queue_length", "gauge"],
];

function num(s: string | null): number | null {
  if (s === null || s === "") return null;
  const n = s.startsWith("0x") ? parseInt(s.slice(2), 16) : Number(s);
  return Number.isNaN(n) ? null : n;
}

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
    for (const device of devices) {
      if (config.ignoredDevices?.test(device)) continue;
      const dir = base + "/" + device + "/";
      const operstate = readAttr(dir + "operstate");
      if (operstate === null) continue; // bonding_masters and other plain files
      const labels = { device };
      out.gauge("node_network_info", "Non-numeric data from /sys/class/net/<iface>, value is always 1.", 1, {
        address: readAttr(dir + "address") ?? "",
        broadcast: readAttr(dir + "broadcast") ?? "",
        device,
        duplex: readAttr(dir + "duplex") ?? "",
        ifalias: readAttr(dir + "ifalias") ?? "",
        operstate,
      });
      out.gauge("node_network_up", "Value is 1 if operstate is 'up', 0 otherwise.", operstate === "up" ? 1 : 0, labels);
      for (const [attr, metric, kind] of ATTRS) {
        const v = num(readAttr(dir + attr));
        if (v !== null) out.family(`node_network_${metric}`, kind, `Network device property: ${metric}`).add(v, labels);
      }
      const speed = num(readAttr(dir + "speed"));
      if (speed !== null && (speed >= 0 || !config.ignoreInvalidSpeed)) {
        out.gauge("node_network_speed_bytes", "Network device property: speed_bytes", (speed * 1000 * 1000) / 8, labels);
      }
    }
  },
});
