/** Hardware and software watchdogs from /sys/class/watchdog (node_exporter's watchdog collector). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { errnoOf, goInt, listDir, listSourceDir } from "../read.ts";
import { isMissingOrForbidden, readStrict } from "../strict-read.ts";
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

/** The attributes node_exporter's sysfs library reads, in its order; the text ones label node_watchdog_info. */
const ATTRIBUTES = ["bootstatus", "options", "fw_version", "identity", "nowayout", "state", "status", "timeleft", "timeout", "pretimeout", "pretimeout_governor", "access_cs0"];
const NUMBERS = new Set(NUMERIC.map(([file]) => file));

/**
 * One watchdog's attributes as node_exporter 1.8.2 reads them: a missing one is left out, any other error
 * throws, and so does a number Go's ParseInt(s, 0, 64) would refuse.
 */
function readWatchdog(dir: string): Map<string, string> {
  const present = new Set(listDir(dir));
  const attrs = new Map<string, string>();
  for (const file of ATTRIBUTES) {
    if (!present.has(file)) continue;
    let value: string;
    try {
      value = readStrict(join(dir, file));
    } catch (e) {
      if (errnoOf(e) === "ENOENT") continue; // removed since the listing
      throw e;
    }
    if (NUMBERS.has(file) && Number.isNaN(goInt(value))) throw new Error(`${join(dir, file)}: parsing ${JSON.stringify(value)}: invalid syntax`);
    attrs.set(file, value);
  }
  return attrs;
}

export const watchdog = defineCollector({
  name: "watchdog",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "watchdog");
      // Every watchdog is read before anything is added; a missing or forbidden file is no data, as in 1.8.2.
      let watchdogs: { name: string; attrs: Map<string, string> }[];
      try {
        watchdogs = listSourceDir(root)
          .sort()
          .map((name) => ({ name, attrs: readWatchdog(join(root, name)) }));
      } catch (e) {
        if (isMissingOrForbidden(e)) throw new NoDataError((e as Error).message);
        throw e;
      }
      for (const { name, attrs } of watchdogs) {
        for (const [file, metric] of NUMERIC) {
          const raw = attrs.get(file);
          if (raw !== undefined) out.family(`node_watchdog_${metric}`, "gauge", `Value of /sys/class/watchdog/<watchdog>/${file}`).add(goInt(raw), { name });
        }
        const str = (f: string) => utf8Label(attrs.get(f) ?? "");
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
