import { defineCollector, NoDataError } from "../collector.ts";
import { errnoOf, listDir, sysPath } from "../read.ts";
import { isMissingOrForbidden, optionalRead, readIntStrict, readStrict, readUintStrict } from "../strict-read.ts";

/** `thermal_zone3` for prefix `thermal_zone`: the glob `<prefix>[0-9]*` node_exporter lists. */
function numbered(name: string, prefix: string): boolean {
  const c = name.charCodeAt(prefix.length);
  return name.startsWith(prefix) && c >= 48 && c <= 57;
}

/**
 * One zone as node_exporter's sysfs library reads it: type, policy and temp are required, mode and passive
 * are checked although nothing of them is exported, since an error reading them fails the zone too.
 */
function readZone(dir: string): { type: string; temp: number } {
  const type = readStrict(dir + "/type");
  readStrict(dir + "/policy");
  const temp = readIntStrict(dir + "/temp");
  optionalRead(() => readStrict(dir + "/mode"));
  optionalRead(() => readUintStrict(dir + "/passive"));
  return { type, temp };
}

export const thermal_zone = defineCollector({
  name: "thermal_zone",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const base = sysPath(paths, "class/thermal");
      const names = listDir(base).sort();
      // As in node_exporter 1.8.2: a zone that answers ENODATA (a sensor without a reading yet) is skipped; a
      // missing or forbidden file is "no data" and any other error fails the collector, both with no zone
      // exported, so every zone is read before any is added.
      const zones: { name: string; type: string; temp: number }[] = [];
      for (const name of names) {
        if (!numbered(name, "thermal_zone")) continue;
        try {
          zones.push({ name: name.slice("thermal_zone".length), ...readZone(base + "/" + name) });
        } catch (e) {
          if (errnoOf(e) === "ENODATA") continue;
          if (isMissingOrForbidden(e)) throw new NoDataError((e as Error).message);
          throw e;
        }
      }
      for (const z of zones) out.gauge("node_thermal_zone_temp", "Zone temperature in Celsius", z.temp / 1000, { type: z.type, zone: z.name });
      // Any error reading a cooling device fails the collector.
      for (const name of names) {
        if (!numbered(name, "cooling_device")) continue;
        const dir = base + "/" + name;
        const type = readStrict(dir + "/type");
        const max = readIntStrict(dir + "/max_state");
        const cur = readIntStrict(dir + "/cur_state");
        const labels = { name: name.slice("cooling_device".length), type };
        out.gauge("node_cooling_device_cur_state", "Current throttle state of the cooling device", cur, labels);
        out.gauge("node_cooling_device_max_state", "Maximum throttle state of the cooling device", max, labels);
      }
    },
  }),
});
