import { existsSync, realpathSync } from "node:fs";
import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listDir, listSourceDir, readAttr, sysPath } from "../read.ts";
import { splitAtNumber } from "../parsers.ts";

/** The sensor types node_exporter reports; files of any other type are ignored. */
const SENSOR_TYPES = new Set(["vrm", "beep_enable", "update_interval", "in", "cpu", "fan", "pwm", "temp", "curr", "power", "energy", "humidity", "intrusion", "freq"]);

function clean(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9:_]/g, "_").replace(/^_+|_+$/g, "");
}

/** A stable chip name: the device's bus and name when it has one (platform_coretemp_0), else its name file. */
function chipName(dir: string): string {
  try {
    const parts = realpathSync(dir + "/device").split("/");
    const name = clean(parts[parts.length - 1] ?? "");
    const type = clean(parts[parts.length - 2] ?? "");
    if (type && name) return type + "_" + name;
    if (name) return name;
  } catch {
    // no device link: fall through
  }
  const n = clean(readAttr(dir + "/name") ?? "");
  if (n) return n;
  try {
    return clean(realpathSync(dir).split("/").pop() ?? "");
  } catch {
    return clean(dir.slice(dir.lastIndexOf("/") + 1));
  }
}

/** `temp1_crit_alarm` -> ["temp", "1", "crit_alarm"]; `beep_enable` -> ["beep_enable", "", ""]. */
function splitSensorFile(file: string): [type: string, num: string, prop: string] | null {
  const [type, num, rest] = splitAtNumber(file);
  if (num === "") {
    // no number: the whole name is the type, unless it is "<type>_<prop>" of a numberless type
    return SENSOR_TYPES.has(file) ? [file, "", ""] : null;
  }
  if (rest !== "" && !rest.startsWith("_")) return null;
  return [type, num, rest.slice(1)];
}

/** sensor (`temp1`) -> property (`input`, `max`, `label`; "" for a bare `temp1` file) -> raw text. */
type SensorData = Map<string, Map<string, string>>;

function readSensors(dir: string, into: SensorData): void {
  for (const file of listDir(dir)) {
    const parts = splitSensorFile(file);
    if (!parts || !SENSOR_TYPES.has(parts[0])) continue;
    // A label keeps its spaces ("Vcore "), as node_exporter strips newlines only.
    const raw = readAttr(dir + "/" + file, parts[2] === "label");
    if (raw === null) continue;
    const sensor = parts[0] + (parts[1] === "" ? "0" : String(Number(parts[1])));
    let props = into.get(sensor);
    if (!props) into.set(sensor, (props = new Map()));
    props.set(parts[2], raw);
  }
}

function gauge(out: MetricSet, name: string, help: string, v: number, labels: Record<string, string>): void {
  out.family(name, "gauge", help).add(v, labels);
}

function emitSensor(out: MetricSet, chip: string, sensor: string, data: Map<string, string>): void {
  const type = splitSensorFile(sensor)?.[0] ?? sensor.replace(/\d+$/, "");
  const labels = { chip, sensor };
  const label = data.get("label");
  if (label !== undefined) gauge(out, "node_hwmon_sensor_label", "Label for given chip and sensor", 1, { chip, label, sensor });
  const bare = data.get("");
  if (type === "beep_enable") return gauge(out, "node_hwmon_beep_enabled", "Hardware beep enabled", bare === "1" ? 1 : 0, labels);
  if (type === "vrm" || type === "update_interval") {
    const v = Number(bare);
    if (bare === undefined || bare === "" || Number.isNaN(v)) return;
    if (type === "vrm") return gauge(out, "node_hwmon_voltage_regulator_version", "Hardware voltage regulator", v, labels);
    return gauge(out, "node_hwmon_update_interval_seconds", "Hardware monitor update interval", v * 0.001, labels);
  }
  const prefix = "node_hwmon_" + type;
  for (const [element, raw] of data) {
    if (element === "label") continue;
    const value = Number(raw);
    if (raw === "" || Number.isNaN(value)) continue;
    let name = prefix;
    if (element === "input") {
      if (bare !== undefined) name += "_input";
    } else if (element !== "") {
      name += "_" + clean(element);
    }
    if (element === "fault" || element === "alarm") {
      gauge(out, name, `Hardware sensor ${element} status (${type})`, value, labels);
    } else if (element === "beep") {
      gauge(out, name + "_enabled", "Hardware monitor sensor has beeping enabled", value, labels);
    } else if (type === "in" || type === "cpu") {
      gauge(out, name + "_volts", `Hardware monitor for voltage (${element})`, value * 0.001, labels);
    } else if (type === "temp" && element !== "type") {
      gauge(out, name + "_celsius", `Hardware monitor for temperature (${element || "input"})`, value * 0.001, labels);
    } else if (type === "curr") {
      gauge(out, name + "_amps", `Hardware monitor for current (${element})`, value * 0.001, labels);
    } else if (type === "energy") {
      out.family(name + "_joule_total", "counter", `Hardware monitor for joules used so far (${element})`).add(value / 1e6, labels);
    } else if (type === "power" && element === "accuracy") {
      gauge(out, name, "Hardware monitor power meter accuracy, as a ratio", value / 1e6, labels);
    } else if (type === "power" && element.startsWith("average_interval")) {
      gauge(out, name + "_seconds", `Hardware monitor power usage update interval (${element})`, value * 0.001, labels);
    } else if (type === "power") {
      gauge(out, name + "_watt", `Hardware monitor for power usage in watts (${element})`, value / 1e6, labels);
    } else if (type === "humidity") {
      gauge(out, name, `Hardware monitor for humidity, as a ratio (multiply with 100.0 to get the humidity as a percentage) (${element})`, value / 1e6, labels);
    } else if (type === "fan" && (element === "input" || element === "min" || element === "max" || element === "target")) {
      gauge(out, name + "_rpm", `Hardware monitor for fan revolutions per minute (${element})`, value, labels);
    } else if (type === "freq") {
      // GPU clocks: only labelled inputs, with the label as the sensor
      if (element === "input" && label !== undefined) {
        gauge(out, name + "_freq_mhz", "Hardware monitor for GPU frequency in MHz", value / 1e6, { chip, sensor: clean(label) });
      }
    } else {
      gauge(out, name, `Hardware monitor ${type} element ${element}`, value, labels);
    }
  }
}

export const hwmon = defineCollector({
  name: "hwmon",
  defaultEnabled: true,
  flags: {
    chipInclude: flag.regex("collector.hwmon.chip-include", "", "Only hwmon chips (node_hwmon_*{chip}) matching this regexp."),
    chipExclude: flag.regex("collector.hwmon.chip-exclude", "", "Leave out hwmon chips matching this regexp."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      // Despite the help text both patterns apply when both are given, as in node_exporter's hwmon
      const { chipInclude: include, chipExclude: exclude } = config;
      const ignored = (chip: string) => (exclude?.test(chip) ?? false) || (include !== undefined && !include.test(chip));
      const base = sysPath(paths, "class/hwmon");
      const chips = listSourceDir(base).sort();
      for (const h of chips) {
        const dir = base + "/" + h;
        const chip = chipName(dir);
        if (ignored(chip)) continue;
        const data: SensorData = new Map();
        readSensors(dir, data);
        // Some drivers put their sensor files on the device rather than the hwmon node.
        if (existsSync(dir + "/device")) readSensors(dir + "/device", data);
        const name = readAttr(dir + "/name");
        const chipLabel = name === null ? "" : clean(name);
        if (chipLabel) gauge(out, "node_hwmon_chip_names", "Annotation metric for human-readable chip names", 1, { chip, chip_name: chipLabel });
        for (const sensor of [...data.keys()].sort()) emitSensor(out, chip, sensor, data.get(sensor)!);
      }
    },
  }),
});
