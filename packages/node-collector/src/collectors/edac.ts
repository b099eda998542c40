/** Memory controller error counters from /sys/devices/system/edac/mc (node_exporter's edac collector). */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listDir, readNumber } from "../read.ts";

export const edac = defineCollector({
  name: "edac",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "devices", "system", "edac", "mc");
      const controllers = listDir(root).filter((d) => /^mc\d+$/.test(d));
      if (controllers.length === 0) return;
      const ce = out.family("node_edac_correctable_errors_total", "counter", "Total correctable memory errors.");
      const ue = out.family("node_edac_uncorrectable_errors_total", "counter", "Total uncorrectable memory errors.");
      const rowCe = out.family("node_edac_csrow_correctable_errors_total", "counter", "Total correctable memory errors for this csrow.");
      const rowUe = out.family("node_edac_csrow_uncorrectable_errors_total", "counter", "Total uncorrectable memory errors for this csrow.");
      const count = (path: string) => {
        const v = readNumber(path);
        if (v === null) throw new Error(`edac: cannot read ${path}`);
        return v;
      };
      for (const mc of controllers.sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))) {
        const dir = join(root, mc);
        const controller = mc.slice(2);
        ce.add(count(join(dir, "ce_count")), { controller });
        ue.add(count(join(dir, "ue_count")), { controller });
        // Errors the controller could not attribute to a csrow are reported as csrow "unknown".
        rowCe.add(count(join(dir, "ce_noinfo_count")), { controller, csrow: "unknown" });
        rowUe.add(count(join(dir, "ue_noinfo_count")), { controller, csrow: "unknown" });
        for (const row of listDir(dir).filter((d) => /^csrow\d+$/.test(d)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))) {
          const csrow = row.slice(5);
          rowCe.add(count(join(dir, row, "ce_count")), { controller, csrow });
          rowUe.add(count(join(dir, row, "ue_count")), { controller, csrow });
        }
      }
    },
  }),
});
