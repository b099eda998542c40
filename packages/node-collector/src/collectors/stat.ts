import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { fields, procPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

/** The per-vector counts after the total on /proc/stat's `softirq` line, by node_exporter's vector names. */
const SOFTIRQ_VECTORS = ["hi", "timer", "net_tx", "net_rx", "block", "block_iopoll", "tasklet", "sched", "hrtimer", "rcu"];

export const stat = defineCollector({
  name: "stat",
  defaultEnabled: true,
  flags: {
    softirq: flag.bool("collector.stat.softirq", false, "Export softirq calls per vector (node_softirqs_total)."),
  },
  create: ({ paths, config }) => ({
    collect(out, { scrape }) {
      const path = procPath(paths, "stat");
      const text = scrape.once(() => readRequired(path), path);
      let pos = 0;
      while (pos < text.length) {
        let end = text.indexOf("\n", pos);
        if (end < 0) end = text.length;
        const c = text.charCodeAt(pos);
        // Only the few lines this collector wants are split; the per-CPU lines are skipped by their first byte.
        if (c !== 99 /* c */ || text.startsWith("ctxt", pos)) {
          const line = text.slice(pos, end);
          const sp = line.indexOf(" ");
          const key = line.slice(0, sp);
          const first = () => Number(line.slice(sp + 1, line.indexOf(" ", sp + 1) < 0 ? undefined : line.indexOf(" ", sp + 1)));
          switch (key) {
            case "intr":
              out.counter("node_intr_total", "Total number of interrupts serviced.", first());
              break;
            case "ctxt":
              out.counter("node_context_switches_total", "Total number of context switches.", first());
              break;
            case "processes":
              out.counter("node_forks_total", "Total number of forks.", first());
              break;
            case "btime":
              out.gauge("node_boot_time_seconds", "Node boot time, in unixtime.", first());
              break;
            case "procs_running":
              out.gauge("node_procs_running", "Number of processes in runnable state.", first());
              break;
            case "procs_blocked":
              out.gauge("node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", first());
              break;
            case "softirq": {
              if (!config.softirq) break;
              const counts = fields(line).slice(2);
              const fam = out.family("node_softirqs_total", "counter", "Number of softirq calls.");
              SOFTIRQ_VECTORS.forEach((vector, i) => fam.add(Number(counts[i] ?? 0), { vector }));
              break;
            }
          }
        }
        pos = end + 1;
      }
    },
  }),
});
