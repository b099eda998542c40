import { defineCollector } from "../collector.ts";
import { fields, listDir, sysPath } from "../read.ts";
import { readStrict } from "../strict-read.ts";

const zoneFormat = new Intl.DateTimeFormat("en-US", { timeZoneName: "short" });
/** Zone abbreviations by UTC offset in minutes: formatting one is slow, and the offset rarely changes. */
type ZoneNames = Map<number, string>;

function zoneName(d: Date, zoneNames: ZoneNames): string {
  const offset = d.getTimezoneOffset();
  let name = zoneNames.get(offset);
  if (name === undefined) {
    name = zoneFormat.formatToParts(d).find((p) => p.type === "timeZoneName")?.value ?? "UTC";
    zoneNames.set(offset, name);
  }
  return name;
}

export const time = defineCollector({
  name: "time",
  defaultEnabled: true,
  create({ paths }) {
    const zoneNames: ZoneNames = new Map();
    return {
      collect(out) {
        const now = new Date();
        out.gauge("node_time_seconds", "System time in seconds since epoch (1970).", now.getTime() / 1000);
        out.gauge("node_time_zone_offset_seconds", "System time zone offset in seconds.", -now.getTimezoneOffset() * 60, { time_zone: zoneName(now, zoneNames) });
        // Every clocksource[0-9]* directory in name order, as node_exporter globs them; `device` is the position
        // in that list. Both files are required: one that cannot be read fails the collector, as in 1.8.2.
        const base = sysPath(paths, "devices/system/clocksource");
        const sources = listDir(base)
          .filter((d) => /^clocksource[0-9]/.test(d))
          .sort()
          .map((d) => ({ available: fields(readStrict(`${base}/${d}/available_clocksource`)), current: readStrict(`${base}/${d}/current_clocksource`) }));
        const avail = out.family("node_time_clocksource_available_info", "gauge", "Available clocksources read from '/sys/devices/system/clocksource'.");
        const current = out.family("node_time_clocksource_current_info", "gauge", "Current clocksource read from '/sys/devices/system/clocksource'.");
        sources.forEach((src, i) => {
          const device = String(i);
          for (const c of src.available) avail.add(1, { clocksource: c, device });
          current.add(1, { clocksource: src.current, device });
        });
      },
    };
  },
});
