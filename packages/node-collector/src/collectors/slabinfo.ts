/** Slab allocator caches from /proc/slabinfo, version 2.1 (node_exporter's slabinfo collector). */
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

/** The columns reported, by position in a cache's line, with their families. */
const COLUMNS: [column: number, name: string, help: string][] = [
  [1, "node_slabinfo_active_objects", "The number of objects that are currently active (i.e., in use)."],
  [2, "node_slabinfo_objects", "The total number of allocated objects (i.e., objects that are both in use and not in use)."],
  [3, "node_slabinfo_object_size_bytes", "The size of objects in this slab, in bytes."],
  [4, "node_slabinfo_objects_per_slab", "The number of objects stored in each slab."],
  [5, "node_slabinfo_pages_per_slab", "The number of pages allocated for each slab."],
];

export const slabinfo = defineCollector({
  name: "slabinfo",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "slabinfo");
      // Readable by root only; node_exporter fails the collector when it cannot read it, and so do we.
      const text = readText(path);
      if (text === null) throw new Error(`couldn't get slabinfo: ${path} does not exist`);
      const fams = COLUMNS.map(([column, name, help]) => [column, out.family(name, "gauge", help)] as const);
      for (const line of lines(text)) {
        if (line.includes("slabinfo -") || line.includes("# name")) continue;
        // name active num objsize objperslab pagesperslab : tunables l b s : slabdata a n s
        const f = fields(line);
        if (f.length !== 16) throw new Error(`couldn't get slabinfo: unable to parse "${line}"`);
        for (const [column, fam] of fams) {
          const v = Number(f[column]);
          if (!Number.isInteger(v)) throw new Error(`couldn't get slabinfo: unable to parse "${line}"`);
          fam.add(v, { slab: f[0]! });
        }
      }
    },
  }),
});
