import { flag } from "@agent/core";
import { addressScope, dumpAddresses } from "../addresses.ts";
import { defineCollector } from "../collector.ts";
import { dumpLinks, STATS64_FIELDS, type Stats64 } from "../netlink.ts";
import { deviceFilter, fields, procPath, readNumber, readText, sysPath } from "../read.ts";

/** /proc/net/dev columns after the interface name, in order, with the keys node_exporter gives them. */
const PROC_COLUMNS = [
  "receive_bytes", "receive_packets", "receive_errors", "receive_dropped", "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
  "transmit_bytes", "transmit_packets", "transmit_errors", "transmit_dropped", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
];

/** rtnl_link_stats64 fields with the keys node_exporter gives them. */
const STATS64_KEYS: Record<(typeof STATS64_FIELDS)[number], string> = {
  rx_packets: "receive_packets", tx_packets: "transmit_packets", rx_bytes: "receive_bytes", tx_bytes: "transmit_bytes",
  rx_errors: "receive_errors", tx_errors: "transmit_errors", rx_dropped: "receive_dropped", tx_dropped: "transmit_dropped",
  multicast: "multicast", collisions: "collisions", rx_length_errors: "receive_length_errors", rx_over_errors: "receive_over_errors",
  rx_crc_errors: "receive_crc_errors", rx_frame_errors: "receive_frame_errors", rx_fifo_errors: "receive_fifo_errors",
  rx_missed_errors: "receive_missed_errors", tx_aborted_errors: "transmit_aborted_errors", tx_carrier_errors: "transmit_carrier_errors",
  tx_fifo_errors: "transmit_fifo_errors", tx_heartbeat_errors: "transmit_heartbeat_errors", tx_window_errors: "transmit_window_errors",
  rx_compressed: "receive_compressed", tx_compressed: "transmit_compressed", rx_nohandler: "receive_nohandler",
};

type DevStats = Map<string, number>;

/**
 * node_exporter's default (not --collector.netdev.enable-detailed-metrics) names: /proc/net/dev's, with
 * netlink's detailed error counters summed into them as the kernel's net-procfs.c sums them.
 */
function legacy(m: DevStats): void {
  const pop = (k: string) => {
    const v = m.get(k);
    m.delete(k);
    return v;
  };
  const rename = (from: string, to: string, ...added: string[]) => {
    const v = pop(from);
    if (v !== undefined) m.set(to, added.reduce((sum, k) => sum + (pop(k) ?? 0), v));
  };
  rename("receive_errors", "receive_errs");
  rename("receive_dropped", "receive_drop", "receive_missed_errors");
  rename("receive_fifo_errors", "receive_fifo");
  rename("receive_frame_errors", "receive_frame", "receive_length_errors", "receive_over_errors", "receive_crc_errors");
  rename("multicast", "receive_multicast");
  rename("transmit_errors", "transmit_errs");
  rename("transmit_dropped", "transmit_drop");
  rename("transmit_fifo_errors", "transmit_fifo");
  rename("collisions", "transmit_colls");
  rename("transmit_carrier_errors", "transmit_carrier", "transmit_aborted_errors", "transmit_heartbeat_errors", "transmit_window_errors");
}

function fromStats64(stats: Stats64): DevStats {
  const m: DevStats = new Map();
  for (const f of STATS64_FIELDS) m.set(STATS64_KEYS[f], stats[f] ?? 0);
  return m;
}

function fromProcNetDev(text: string, keep: (device: string) => boolean): Map<string, DevStats> {
  const out = new Map<string, DevStats>();
  let pos = text.indexOf("\n", text.indexOf("\n") + 1) + 1; // two header lines
  while (pos > 0 && pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(":", pos);
    if (colon > 0 && colon < end) {
      const device = text.slice(pos, colon).trim();
      if (keep(device)) {
        const f = fields(text.slice(colon + 1, end));
        const m: DevStats = new Map();
        for (let i = 0; i < PROC_COLUMNS.length && i < f.length; i++) m.set(PROC_COLUMNS[i]!, Number(f[i]));
        out.set(device, m);
      }
    }
    pos = end + 1;
  }
  return out;
}

export const netdev = defineCollector({
  name: "netdev",
  defaultEnabled: true,
  flags: {
    deviceInclude: flag.regex("collector.netdev.device-include", "", "Regexp of net devices to include (mutually exclusive to device-exclude)."),
    deviceExclude: flag.regex("collector.netdev.device-exclude", "", "Regexp of net devices to exclude (mutually exclusive to device-include)."),
    deviceWhitelist: flag.regex("collector.netdev.device-whitelist", "", "Deprecated: use --collector.netdev.device-include."),
    deviceBlacklist: flag.regex("collector.netdev.device-blacklist", "", "Deprecated: use --collector.netdev.device-exclude."),
    addressInfo: flag.bool("collector.netdev.address-info", false, "Collect address-info for every device"),
    detailedMetrics: flag.bool("collector.netdev.enable-detailed-metrics", false, "Use (incompatible) metric names that provide more detailed stats on Linux"),
    netlink: flag.bool("collector.netdev.netlink", true, "Use netlink to gather stats instead of /proc/net/dev."),
  },
  collect(out, { paths, config, scrape }) {
    const keep = deviceFilter(config.deviceInclude ?? config.deviceWhitelist, config.deviceExclude ?? config.deviceBlacklist);
    // The live host's counters come over netlink, as node_exporter reads them; fixture trees (--path.procfs)
    // have /proc/net/dev only, with rx_nohandler, which node_exporter gets from netlink, from sysfs.
    const links = config.netlink && paths.procfs === "/proc" ? scrape.once(dumpLinks) : null;
    let devices: Map<string, DevStats>;
    if (links) {
      devices = new Map();
      for (const link of links) if (link.stats && keep(link.name)) devices.set(link.name, fromStats64(link.stats));
    } else {
      const text = readText(procPath(paths, "net/dev"));
      if (text === null) return;
      devices = fromProcNetDev(text, keep);
      if (config.netlink) {
        for (const [device, m] of devices) {
          const nh = readNumber(sysPath(paths, `class/net/${device}/statistics/rx_nohandler`));
          if (nh !== null) m.set("receive_nohandler", nh);
        }
      }
    }
    for (const device of [...devices.keys()].sort()) {
      const m = devices.get(device)!;
      if (!config.detailedMetrics) legacy(m);
      for (const [key, value] of m) out.counter(`node_network_${key}_total`, `Network device statistic ${key}.`, value, { device });
    }
    if (config.addressInfo) {
      // every interface's addresses, the device filter notwithstanding, as node_exporter lists them
      const addresses = dumpAddresses();
      const names = new Map((links ?? scrape.once(dumpLinks) ?? []).map((l) => [l.index, l.name]));
      if (!addresses) throw new Error("could not get network interfaces' addresses over rtnetlink");
      const rows = addresses
        .map((a) => ({ address: a.address, device: names.get(a.ifindex) ?? "", netmask: String(a.prefixLength), scope: addressScope(a.address) }))
        .sort((a, b) => (a.address + "\0" + a.device < b.address + "\0" + b.device ? -1 : 1));
      const fam = out.family("node_network_address_info", "gauge", "node network address by device");
      for (const r of rows) fam.add(1, r);
    }
  },
});
