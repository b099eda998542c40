/** Per-CPU network cache statistics from every file under /proc/net/stat (node_exporter's lnstat collector). */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listDir, procPath, readText } from "../read.ts";
import { headerTable } from "../parsers.ts";

export const lnstat = defineCollector({
  name: "lnstat",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const dir = procPath(paths, "net/stat");
      for (const subsystem of listDir(dir).sort()) {
        const text = readText(join(dir, subsystem));
        if (text === null) continue;
        // A header line of column names, then one line of hexadecimal counters per CPU.
        const { header: headers, rows } = headerTable(text);
        for (let cpu = 0; cpu < rows.length; cpu++) {
          const values = rows[cpu]!;
          headers.forEach((header, i) => {
            const v = parseInt(values[i] ?? "", 16);
            if (Number.isNaN(v)) throw new Error(`lnstat: bad value for ${header} in ${join(dir, subsystem)}`);
            out.family(`node_lnstat_${header}_total`, "counter", "linux network cache stats").add(v, { cpu: String(cpu), subsystem });
          });
        }
      }
    },
  }),
});
