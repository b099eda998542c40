/** Free memory blocks per NUMA node, zone and order, from /proc/buddyinfo (node_exporter's buddyinfo collector). */
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

export const buddyinfo = defineCollector({
  name: "buddyinfo",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "buddyinfo");
      const text = readText(path);
      // node_exporter fails the collector when the file cannot be opened.
      if (text === null) throw new Error(`couldn't get buddyinfo: ${path} does not exist`);
      const fam = out.family("node_buddyinfo_blocks", "gauge", "Count of free blocks according to size.");
      let buckets = -1;
      for (const line of lines(text)) {
        // "Node 0, zone   Normal    154    257 ..." : one count per order, 2^order pages each.
        const f = fields(line);
        if (f.length < 4) throw new Error("couldn't get buddyinfo: invalid number of fields");
        const counts = f.slice(4);
        if (buckets === -1) buckets = counts.length;
        else if (buckets !== counts.length) throw new Error(`couldn't get buddyinfo: ${counts.length} buckets where earlier lines have ${buckets}`);
        const node = f[1]!.replace(/,+$/, "");
        const zone = f[3]!.replace(/,+$/, "");
        counts.forEach((v, size) => {
          const n = Number(v);
          if (v === "" || Number.isNaN(n)) throw new Error(`couldn't get buddyinfo: invalid value "${v}"`);
          fam.add(n, { node, size: String(size), zone });
        });
      }
    },
  }),
});
