/** RAPL energy counters from /sys/class/powercap (node_exporter's rapl collector). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector, NoDataError } from "../collector.ts";
import { errnoOf, listDir, readAttr } from "../read.ts";
import { isMissingOrForbidden, readUintStrict } from "../strict-read.ts";

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
    // Read, not exported, as node_exporter's sysfs library does: a zone without it fails the listing.
    readUintStrict(join(root, entry, "max_energy_range_uj"));
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
      if (!existsSync(root)) throw new NoDataError(root);
      // As node_exporter: a missing or forbidden file while listing the zones is no data, and a forbidden
      // energy_uj (root-only on kernels patched for the PLATYPUS side channel) too; any other error fails.
      let zones: Zone[];
      try {
        zones = raplZones(root);
      } catch (e) {
        if (isMissingOrForbidden(e)) throw new NoDataError((e as Error).message);
        throw e;
      }
      for (const zone of zones) {
        let microjoules: number;
        try {
          microjoules = readUintStrict(join(zone.path, "energy_uj"));
        } catch (e) {
          const code = errnoOf(e);
          if (code === "EACCES" || code === "EPERM") throw new NoDataError((e as Error).message);
          throw e;
        }
        const joules = microjoules / 1e6;
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
