import { defineCollector } from "../collector.ts";
import { fields, readAttr, sysPath } from "../read.ts";

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
        const base = sysPath(paths, "devices/system/clocksource/clocksource0");
        const available = readAttr(base + "/available_clocksource");
        if (available === null) return;
        const avail = out.family("node_time_clocksource_available_info", "gauge", "Available clocksources read from '/sys/devices/system/clocksource'.");
        for (const c of fields(available)) avail.add(1, { clocksource: c, device: "0" });
        const current = readAttr(base + "/current_clocksource");
        if (current) out.gauge("node_time_clocksource_current_info", "Current clocksource read from '/sys/devices/system/clocksource'.", 1, { clocksource: current, device: "0" });
      },
    };
  },
});
