/** RAPL energy counters from /sys/class/powercap (node_exporter's rapl collector). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector, NoDataError } from "../collector.ts";
import { listDir, readAttr } from "../read.ts";

interface Zone {
  name: string;
  index: number;
  path: string;
}

/**
 * Zones are the powercap directories with a `name` file. `package-0` carries its index in the name; zones
 * named without one (`dram`, `core`) are numbered by how often the name was seen before.
 */
function raplZones(root: string): Zone[] {
  const zones: Zone[] = [];
  const seen = new Map<string, number>();
  for (const entry of listDir(root).sort()) {
    const raw = readAttr(join(root, entry, "name"));
    if (raw === null) continue;
    let name = raw;
    let index: number;
    const parts = raw.split("-");
    if (parts.length === 2 && /^[+-]?\d+$/.test(parts[1]!)) {
      index = Number(parts[1]);
      name = parts[0]!;
    } else {
      index = seen.get(raw) ?? 0;
    }
    seen.set(name, index + 1);
    zones.push({ name, index, path: join(root, entry) });
  }
  return zones;
}

function sanitize(name: string): string {
  return name.replace(/[^a-zA-Z0-9_:]/g, "_");
}

export const rapl = defineCollector({
  name: "rapl",
  defaultEnabled: true,
  flags: {
    // node_exporter's help for this flag says "Enables service unit metric unit_start_time_seconds", a copy
    // error upstream; this says what the flag does.
    enableZoneLabel: flag.bool("collector.rapl.enable-zone-label", false, "Expose node_rapl_joules_total with a rapl_zone label instead of one family per zone."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "powercap");
      const zones = raplZones(root);
      if (zones.length === 0 && !existsSync(root)) throw new NoDataError(root);
      for (const zone of zones) {
        const raw = readAttr(join(zone.path, "energy_uj"));
        // energy_uj is root-only on kernels patched for the PLATYPUS side channel: no data, as node_exporter says.
        if (raw === null) throw new NoDataError(join(zone.path, "energy_uj"));
        const joules = Number(raw) / 1e6;
        const index = String(zone.index);
        if (config.enableZoneLabel) {
          out.family("node_rapl_joules_total", "counter", "Current RAPL value in joules").add(joules, { index, path: zone.path, rapl_zone: zone.name });
        } else {
          out.family(`node_rapl_${sanitize(zone.name + "_joules_total")}`, "counter", `Current RAPL ${zone.name} value in joules`).add(joules, { index, path: zone.path });
        }
      }
    },
  }),
});
