/** ARP cache entries per device, from /proc/net/arp (node_exporter's arp collector). */
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { deviceFilter, readText } from "../read.ts";
import { readRequired } from "../strict-read.ts";

export const arp = defineCollector({
  name: "arp",
  defaultEnabled: true,
  flags: {
    deviceInclude: flag.regex("collector.arp.device-include", "", "Regexp of arp devices to include (mutually exclusive to device-exclude)."),
    deviceExclude: flag.regex("collector.arp.device-exclude", "", "Regexp of arp devices to exclude (mutually exclusive to device-include)."),
    // node_exporter reads the neighbour table over netlink by default; /proc/net/arp lists the same IPv4
    // neighbours (both skip NOARP entries), so the flag is accepted for command-line compatibility.
    netlink: flag.bool("collector.arp.netlink", true, "Use netlink to gather stats instead of /proc/net/arp."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      // node_exporter's /proc/net/arp mode (--no-collector.arp.netlink) requires the file; its netlink mode
      // lists the neighbours of whatever host it runs on, so a tree without the file has nothing to serve
      const path = join(paths.procfs, "net", "arp");
      const text = config.netlink ? readText(path) : readRequired(path);
      if (text === null) return;
      const counts = new Map<string, number>();
      const lines = text.split("\n");
      for (let i = 1; i < lines.length; i++) {
        const line = lines[i]!.trimEnd();
        if (line === "") continue;
        const device = line.slice(line.lastIndexOf(" ") + 1);
        counts.set(device, (counts.get(device) ?? 0) + 1);
      }
      const keep = deviceFilter(config.deviceInclude, config.deviceExclude);
      const fam = out.family("node_arp_entries", "gauge", "ARP entries by device");
      for (const device of [...counts.keys()].sort()) {
        if (keep(device)) fam.add(counts.get(device)!, { device });
      }
    },
  }),
});
