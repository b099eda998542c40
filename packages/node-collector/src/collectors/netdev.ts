import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { dumpLinks, type Stats64 } from "../netlink.ts";
import { deviceFilter, fields, procPath, readNumber, readText, sysPath } from "../read.ts";

/** /proc/net/dev columns after the interface name, in order, as node_exporter names them. */
const COLUMNS = [
  "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame", "receive_compressed", "receive_multicast",
  "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
];

/** The same columns from netlink's rtnl_link_stats64, as node_exporter maps them. */
const FROM_STATS64: (keyof Stats64)[] = [
  "rx_bytes", "rx_packets", "rx_errors", "rx_dropped", "rx_fifo_errors", "rx_frame_errors", "rx_compressed", "multicast",
  "tx_bytes", "tx_packets", "tx_errors", "tx_dropped", "tx_fifo_errors", "collisions", "tx_carrier_errors", "tx_compressed",
];

export const netdev = defineCollector({
  name: "netdev",
  defaultEnabled: true,
  flags: {
    deviceInclude: flag.regex("collector.netdev.device-include", "", "Regexp of net devices to include (mutually exclusive to device-exclude)."),
    deviceExclude: flag.regex("collector.netdev.device-exclude", "", "Regexp of net devices to exclude (mutually exclusive to device-include)."),
    deviceWhitelist: flag.regex("collector.netdev.device-whitelist", "", "Deprecated: use --collector.netdev.device-include."),
    deviceBlacklist: flag.regex("collector.netdev.device-blacklist", "", "Deprecated: use --collector.netdev.device-exclude."),
  },
  collect(out, { paths, config, scrape }) {
    const keep = deviceFilter(config.deviceInclude ?? config.deviceWhitelist, config.deviceExclude ?? config.deviceBlacklist);
    // node_exporter reads the live host's counters over netlink; /proc/net/dev is for fixture trees.
    const links = paths.procfs === "/proc" ? scrape.once(dumpLinks) : null;
    const text = links ? null : readText(procPath(paths, "net/dev"));
    if (!links && text === null) return;
    const fams = COLUMNS.map((c) => out.family(`node_network_${c}_total`, "counter", `Network device statistic ${c}.`));
    const nohandler = out.family("node_network_receive_nohandler_total", "counter", "Network device statistic receive_nohandler.");
    if (links) {
      // In name order, the order the families are served in: nothing left to sort at render.
      for (const link of [...links].sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const stats = link.stats;
        if (!stats || !keep(link.name)) continue;
        const labels = { device: link.name };
        FROM_STATS64.forEach((k, i) => {
          const v = stats[k];
          if (v !== undefined) fams[i]!.add(v, labels);
        });
        if (stats.rx_nohandler !== undefined) nohandler.add(stats.rx_nohandler, labels);
      }
      return;
    }
    if (text === null) return;
    let pos = text.indexOf("\n", text.indexOf("\n") + 1) + 1; // two header lines
    while (pos > 0 && pos < text.length) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = text.length;
      const colon = text.indexOf(":", pos);
      if (colon > 0 && colon < end) {
        const device = text.slice(pos, colon).trim();
        if (keep(device)) {
          const f = fields(text.slice(colon + 1, end));
          for (let i = 0; i < fams.length && i < f.length; i++) fams[i]!.add(Number(f[i]), { device });
          // /proc/net/dev lacks rx_nohandler, which node_exporter gets from netlink.
          const nh = readNumber(sysPath(paths, `class/net/${device}/statistics/rx_nohandler`));
          if (nh !== null) nohandler.add(nh, { device });
        }
      }
      pos = end + 1;
    }
  },
});
