import { defineCollector } from "../collector.ts";
import { procPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

export const loadavg = defineCollector({
  name: "loadavg",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const text = readRequired(procPath(paths, "loadavg"));
      let p = 0;
      for (const [name, help] of [
        ["node_load1", "1m load average."],
        ["node_load5", "5m load average."],
        ["node_load15", "15m load average."],
      ] as const) {
        const sp = text.indexOf(" ", p);
        const v = Number(text.slice(p, sp));
        if (Number.isNaN(v)) throw new Error(`unexpected /proc/loadavg: ${text.trim()}`);
        out.gauge(name, help, v);
        p = sp + 1;
      }
    },
  }),
});
