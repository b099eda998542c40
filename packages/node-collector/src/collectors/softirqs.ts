/** Softirq counts per CPU and type from /proc/softirqs (node_exporter's softirqs collector). */
import { defineCollector } from "../collector.ts";
import { procPath, readText } from "../read.ts";
import { headerTable } from "../parsers.ts";

/** The types node_exporter reports, in its order; others the kernel may add are not reported. */
const TYPES = ["HI", "TIMER", "NET_TX", "NET_RX", "BLOCK", "IRQ_POLL", "TASKLET", "SCHED", "HRTIMER", "RCU"];

export const softirqs = defineCollector({
  name: "softirqs",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "softirqs");
      const text = readText(path);
      if (text === null) throw new Error(`couldn't get softirqs: ${path} does not exist`);
      // After the "CPU0 CPU1 ..." header, one "TYPE: count count ..." line per softirq.
      const { header, rows } = headerTable(text);
      if (header.length === 0) throw new Error("couldn't get softirqs: softirqs empty");
      const counts = new Map<string, number[]>();
      for (const f of rows) {
        if (f.length < 2) continue;
        const type = f[0]!.slice(0, -1);
        if (!TYPES.includes(type)) continue;
        counts.set(
          type,
          f.slice(1).map((s) => {
            if (!/^\d+$/.test(s)) throw new Error(`couldn't get softirqs: couldn't parse "${s}" (${type})`);
            return Number(s);
          }),
        );
      }
      const fam = out.family("node_softirqs_functions_total", "counter", "Softirq counts per CPU.");
      for (const type of TYPES) counts.get(type)?.forEach((v, cpu) => fam.add(v, { cpu: String(cpu), type }));
    },
  }),
});
