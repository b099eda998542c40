import { defineCollector } from "../collector.ts";
import { listDir, readAttr, readNumber, sysPath } from "../read.ts";

export const thermal_zone = defineCollector({
  name: "thermal_zone",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const base = sysPath(paths, "class/thermal");
      for (const name of listDir(base).sort()) {
        const dir = base + "/" + name;
        if (name.startsWith("thermal_zone")) {
          const temp = readNumber(dir + "/temp");
          const type = readAttr(dir + "/type");
          if (temp === null || type === null) continue;
          out.gauge("node_thermal_zone_temp", "Zone temperature in Celsius", temp / 1000, { type, zone: name.slice("thermal_zone".length) });
        } else if (name.startsWith("cooling_device")) {
          const type = readAttr(dir + "/type");
          const cur = readNumber(dir + "/cur_state");
          const max = readNumber(dir + "/max_state");
          if (type === null) continue;
          const labels = { name: name.slice("cooling_device".length), type };
          if (cur !== null) out.gauge("node_cooling_device_cur_state", "Current throttle state of the cooling device", cur, labels);
          if (max !== null) out.gauge("node_cooling_device_max_state", "Maximum throttle state of the cooling device", max, labels);
        }
      }
    },
  }),
});
