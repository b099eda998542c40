import { defineCollector } from "../collector.ts";
import { procPath } from "../read.ts";
import { headerTable } from "../parsers.ts";
import { readRequired } from "../strict-read.ts";

export const interrupts = defineCollector({
  name: "interrupts",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const text = readRequired(procPath(paths, "interrupts"));
      const { header, rows } = headerTable(text);
      const cpus = header.map((c) => c.slice(3)); // "CPU0" -> "0"
      const fam = out.family("node_interrupts_total", "counter", "Interrupt details.");
      for (const f of rows) {
        // Rows without a description after the per-CPU counts (ERR, MIS: one system-wide count) are not
        // per-CPU interrupts; node_exporter skips them.
        if (f.length < cpus.length + 2) continue;
        const type = f[0]!.slice(0, -1);
        const n = cpus.length;
        // Numbered IRQs name the controller, then the devices; named ones (NMI, LOC) have a description.
        const numbered = /^\d/.test(type);
        const rest = f.slice(n + 1);
        const info = numbered ? (rest[0] ?? "") : rest.join(" ");
        const devices = numbered ? rest.slice(1).join(" ") : "";
        for (let i = 0; i < n; i++) fam.add(Number(f[i + 1]), { cpu: cpus[i]!, devices, info, type });
      }
    },
  }),
});
