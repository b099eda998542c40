/** node_nvme_info from /sys/class/nvme (node_exporter's nvme collector). */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listSourceDir, readAttr } from "../read.ts";
import { utf8Label } from "../utf8.ts";

export const nvme = defineCollector({
  name: "nvme",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "nvme");
      const devices = listSourceDir(root).sort();
      const info = out.family("node_nvme_info", "gauge", "Non-numeric data from /sys/class/nvme/<device>, value is always 1.");
      for (const device of devices) {
        const dir = join(root, device);
        // The kernel pads model and serial with spaces; node_exporter trims them.
        const attr = (f: string) => {
          const v = readAttr(join(dir, f));
          if (v === null) throw new Error(`nvme: cannot read ${join(dir, f)}`);
          return utf8Label(v);
        };
        info.add(1, { device, firmware_revision: attr("firmware_rev"), model: attr("model"), serial: attr("serial"), state: attr("state") });
      }
    },
  }),
});
