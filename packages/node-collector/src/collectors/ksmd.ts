/** Kernel same-page merging counters from sysfs kernel/mm/ksm (node_exporter's ksmd collector). */
import { defineCollector } from "../collector.ts";
import { readAttr, sysPath } from "../read.ts";

const FILES = ["full_scans", "merge_across_nodes", "pages_shared", "pages_sharing", "pages_to_scan", "pages_unshared", "pages_volatile", "run", "sleep_millisecs"];

export const ksmd = defineCollector({
  name: "ksmd",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      for (const file of FILES) {
        const path = sysPath(paths, "kernel/mm/ksm/" + file);
        const text = readAttr(path);
        // node_exporter fails the collector on the first file it cannot read as an unsigned integer.
        if (text === null || !/^\d+$/.test(text)) throw new Error(`ksmd: cannot read an unsigned integer from ${path}`);
        const v = Number(text);
        const help = `ksmd '${file}' file.`;
        if (file === "full_scans") out.counter("node_ksmd_full_scans_total", help, v);
        else if (file === "sleep_millisecs") out.gauge("node_ksmd_sleep_seconds", help, v / 1000);
        else out.gauge("node_ksmd_" + file, help, v);
      }
    },
  }),
});
