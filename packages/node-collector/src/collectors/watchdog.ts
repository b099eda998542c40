/** Hardware and software watchdogs from /sys/class/watchdog (node_exporter's watchdog collector). */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listDir, readAttr } from "../read.ts";
import { utf8Label } from "../utf8.ts";

/** [attribute, metric suffix]: integer attributes, each exposed only when the driver provides it. */
const NUMERIC: [string, string][] = [
  ["bootstatus", "bootstatus"],
  ["fw_version", "fw_version"],
  ["nowayout", "nowayout"],
  ["timeleft", "timeleft_seconds"],
  ["timeout", "timeout_seconds"],
  ["pretimeout", "pretimeout_seconds"],
  ["access_cs0", "access_cs0"],
];

export const watchdog = defineCollector({
  name: "watchdog",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "watchdog");
      for (const name of listDir(root).sort()) {
        const dir = join(root, name);
        const present = new Set(listDir(dir));
        for (const [file, metric] of NUMERIC) {
          if (!present.has(file)) continue;
          const raw = readAttr(join(dir, file));
          if (raw === null || !/^[+-]?\d+$/.test(raw)) continue;
          out.family(`node_watchdog_${metric}`, "gauge", `Value of /sys/class/watchdog/<watchdog>/${file}`).add(Number(raw), { name });
        }
        const str = (f: string) => (present.has(f) ? utf8Label(readAttr(join(dir, f)) ?? "") : "");
        out.gauge("node_watchdog_info", "Info of /sys/class/watchdog/<watchdog>", 1, {
          name,
          options: str("options"),
          identity: str("identity"),
          state: str("state"),
          status: str("status"),
          pretimeout_governor: str("pretimeout_governor"),
        });
      }
    },
  }),
});
