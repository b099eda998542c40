import { flag, type MetricSet } from "@agent/core";
import { addressScope, dumpAddresses } from "../addresses.ts";
import { defineCollector } from "../collector.ts";
import { dumpLinks, STATS64_FIELDS, type Stats64 } from "../netlink.ts";
import { deviceFilter, fields, procPath, readNumber, readText, sysPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

/** /proc/net/dev columns after the interface name, in order, with the keys node_exporter gives them. */
const PROC_COLUMNS = [
  "receive_bytes", "receive_packets", "receive_errors", "receive_dropped", "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
  "transmit_bytes", "transmit_packets", "transmit_errors", "transmit_dropped", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
];
/** node_exporter's default names for them (without --collector.netdev.enable-detailed-metrics). */
const PROC_LEGACY: Record<string, string> = { receive_errors: "receive_errs", receive_dropped: "receive_drop", transmit_errors: "transmit_errs", transmit_dropped: "transmit_drop" };

/** rtnl_link_stats64 fields with the keys node_exporter gives them (--collector.netdev.enable-detailed-metrics). */
const STATS64_KEYS: Record<(typeof STATS64_FIELDS)[number], string> = {
  rx_packets: "receive_packets", tx_packets: "transmit_packets", rx_bytes: "receive_bytes", tx_bytes: "transmit_bytes",
  rx_errors: "receive_errors", tx_errors: "transmit_errors", rx_dropped: "receive_dropped", tx_dropped: "transmit_dropped",
  multicast: "multicast", collisions: "collisions", rx_length_errors: "receive_length_errors", rx_over_errors: "receive_over_errors",
  rx_crc_errors: "receive_crc_errors", rx_frame_errors: "receive_frame_errors", rx_fifo_errors: "receive_fifo_errors",
  rx_missed_errors: "receive_missed_errors", tx_aborted_errors: "transmit_aborted_errors", tx_carrier_errors: "transmit_carrier_errors",
  tx_fifo_errors: "transmit_fifo_errors", tx_heartbeat_errors: "transmit_heartbeat_errors", tx_window_errors: "transmit_window_errors",
  rx_compressed: "receive_compressed", tx_compressed: "transmit_compressed", rx_nohandler: "receive_nohandler",
};
const STATS64_DETAILED: [key: string, fields: (keyof Stats64)[]][] = STATS64_FIELDS.map((f) => [STATS64_KEYS[f], [f]]);

/**
 * node_exporter's default names from netlink: /proc/net/dev's, with the detailed error counters summed into
 * them as the kernel's net-procfs.c sums them.
 */
const STATS64_LEGACY: [key: string, fields: (keyof Stats64)[]][] = [
  ["receive_packets", ["rx_packets"]], ["transmit_packets", ["tx_packets"]], ["receive_bytes", ["rx_bytes"]], ["transmit_bytes", ["tx_bytes"]],
  ["receive_errs", ["rx_errors"]], ["transmit_errs", ["tx_errors"]], ["receive_drop", ["rx_dropped", "rx_missed_errors"]],
  ["transmit_drop", ["tx_dropped"]], ["receive_multicast", ["multicast"]], ["transmit_colls", ["collisions"]],
  ["receive_frame", ["rx_frame_errors", "rx_length_errors", "rx_over_errors", "rx_crc_errors"]], ["receive_fifo", ["rx_fifo_errors"]],
  ["transmit_carrier", ["tx_carrier_errors", "tx_aborted_errors", "tx_heartbeat_errors", "tx_window_errors"]],
  ["transmit_fifo", ["tx_fifo_errors"]], ["receive_compressed", ["rx_compressed"]], ["transmit_compressed", ["tx_compressed"]],
  ["receive_nohandler", ["rx_nohandler"]],
];

/** Each kept device's /proc/net/dev columns, in PROC_COLUMNS order. */
function fromProcNetDev(text: string, keep: (device: string) => boolean): Map<string, number[]> {
  const out = new Map<string, number[]>();
  let pos = text.indexOf("\n", text.indexOf("\n") + 1) + 1; // two header lines
  while (pos > 0 && pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    const colon = text.indexOf(":", pos);
    if (colon > 0 && colon < end) {
      const device = text.slice(pos, colon).trim();
      if (keep(device)) out.set(device, fields(text.slice(colon + 1, end)).slice(0, PROC_COLUMNS.length).map(Number));
    }
    pos = end + 1;
  }
  return out;
}

const family = (out: MetricSet, key: string) => out.family(`node_network_${key}_total`, "counter", `Network device statistic ${key}.`);

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
  create: ({ paths, config }) => ({
    collect(out, { scrape }) {
      const keep = deviceFilter(config.deviceInclude ?? config.deviceWhitelist, config.deviceExclude ?? config.deviceBlacklist);
      // The live host's counters come over netlink, as node_exporter reads them; fixture trees (--path.procfs)
      // have /proc/net/dev only, with rx_nohandler, which node_exporter gets from netlink, from sysfs.
      const links = config.netlink && paths.procfs === "/proc" ? scrape.once(dumpLinks) : null;
      if (links) {
        const columns = config.detailedMetrics ? STATS64_DETAILED : STATS64_LEGACY;
        const fams = columns.map(([key]) => family(out, key));
        const kept = links.filter((l) => l.stats && keep(l.name)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const link of kept) {
          const stats = link.stats!;
          const labels = { device: link.name };
          columns.forEach(([, fields], i) => fams[i]!.add(fields.reduce((sum, f) => sum + (stats[f] ?? 0), 0), labels));
        }
      } else {
        // --no-collector.netdev.netlink requires the file, as node_exporter does; a tree given in place of
        // netlink (--path.procfs) without it has nothing to serve
        const text = config.netlink ? readText(procPath(paths, "net/dev")) : readRequired(procPath(paths, "net/dev"));
        if (text === null) return;
        const fams = PROC_COLUMNS.map((c) => family(out, config.detailedMetrics ? c : (PROC_LEGACY[c] ?? c)));
        const nohandler = config.netlink ? family(out, "receive_nohandler") : null;
        const devices = fromProcNetDev(text, keep);
        for (const device of [...devices.keys()].sort()) {
          const labels = { device };
          devices.get(device)!.forEach((v, i) => fams[i]!.add(v, labels));
          const nh = nohandler && readNumber(sysPath(paths, `class/net/${device}/statistics/rx_nohandler`));
          if (nohandler && nh !== null) nohandler.add(nh, labels);
        }
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
  }),
});
