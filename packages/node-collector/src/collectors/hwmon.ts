import { realpathSync } from "node:fs";
import { defineCollector } from "../collector.ts";
import { listDir, readAttr, sysPath } from "../read.ts";

/** Sensor type -> [unit suffix, divisor from the sysfs integer]. */
const UNITS: Record<string, [string, number]> = {
  temp: ["celsius", 1000],
  in: ["volts", 1000],
  curr: ["amps", 1000],
  power: ["watt", 1e6],
  energy: ["joule_total", 1e6],
  fan: ["rpm", 1],
  humidity: ["percent", 1000],
  freq: ["hertz", 1],
  pwm: ["", 1],
  intrusion: ["", 1],
};
/** Properties that are flags or settings rather than quantities in the sensor's unit. */
const UNITLESS = new Set(["alarm", "beep", "enable", "fault", "type", "mode"]);

function clean(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]+/g, "_").replace(/^_+|_+$/g, "");
}

/** A stable chip name: the device's bus and name when it has one (platform_coretemp_0), else its name file. */
function chipName(dir: string): string {
  try {
    const dev = realpathSync(dir + "/device");
    const parts = dev.split("/");
    const name = clean(parts[parts.length - 1] ?? "");
    const type = clean(parts[parts.length - 2] ?? "");
    if (type && name) return type + "_" + name;
    if (name) return name;
  } catch {
    // no device link: fall through
  }
  const n = clean(readAttr(dir + "/name") ?? "");
  if (n) return n;
  return clean(dir.slice(dir.lastIndexOf("/") + 1));
}

/** `temp1_input` -> ["temp", "1", "input"]. */
function splitSensorFile(file: string): [string, string, string] | null {
  let i = 0;
  while (i < file.length && !(file.charCodeAt(i) >= 48 && file.charCodeAt(i) <= 57)) i++;
  let j = i;
  while (j < file.length && file.charCodeAt(j) >= 48 && file.charCodeAt(j) <= 57) j++;
  if (i === 0 || j === i || file.charCodeAt(j) !== 95 /* _ */) return null;
  return [file.slice(0, i), file.slice(i, j), file.slice(j + 1)];
}

export const hwmon = defineCollector({
  name: "hwmon",
  defaultEnabled: true,
  collect(out, { paths }) {
    const base = sysPath(paths, "class/hwmon");
    for (const h of listDir(base).sort()) {
      const dir = base + "/" + h;
      const chip = chipName(dir);
      const name = readAttr(dir + "/name");
      if (name !== null) out.gauge("node_hwmon_chip_names", "Annotation metric for human-readable chip names", 1, { chip, chip_name: name });
      for (const file of listDir(dir).sort()) {
        const parts = splitSensorFile(file);
        if (!parts) continue;
        const [type, num, prop] = parts;
        const unit = UNITS[type];
        if (!unit) continue;
        const sensor = type + num;
        const raw = readAttr(dir + "/" + file);
        if (raw === null) continue;
        if (prop === "label") {
          out.gauge("node_hwmon_sensor_label", "Label for given chip and sensor", 1, { chip, label: raw, sensor });
          continue;
        }
        const v = Number(raw);
        if (raw === "" || Number.isNaN(v)) continue;
        const labels = { chip, sensor };
        if (UNITLESS.has(prop) || prop.endsWith("_alarm")) {
          out.gauge(`node_hwmon_${type}_${prop}`, `Hardware monitor ${type} ${prop}`, v, labels);
          continue;
        }
        const stem = prop === "input" ? type : `${type}_${prop}`;
        const metric = unit[0] ? `node_hwmon_${stem}_${unit[0]}` : `node_hwmon_${stem}`;
        out.family(metric, metric.endsWith("_total") ? "counter" : "gauge", `Hardware monitor for ${type} (${prop})`).add(v / unit[1], labels);
      }
    }
  },
});
