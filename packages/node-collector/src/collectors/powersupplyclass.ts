/** Power supplies and batteries from /sys/class/power_supply (node_exporter's powersupplyclass collector). */
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listSourceDir } from "../read.ts";
import { readRegularFiles } from "../strict-read.ts";
import { utf8Label } from "../utf8.ts";

/** [sysfs attribute, metric suffix, divisor]: micro-units become base units, tenths of a degree degrees. */
const NUMERIC: [file: string, metric: string, scale: number][] = [
  ["authentic", "authentic", 1],
  ["calibrate", "calibrate", 1],
  ["capacity", "capacity", 1],
  ["capacity_alert_max", "capacity_alert_max", 1],
  ["capacity_alert_min", "capacity_alert_min", 1],
  ["cycle_count", "cyclecount", 1],
  ["online", "online", 1],
  ["present", "present", 1],
  ["time_to_empty_now", "time_to_empty_seconds", 1],
  ["time_to_full_now", "time_to_full_seconds", 1],
  ["current_boot", "current_boot", 1e6],
  ["current_max", "current_max", 1e6],
  ["current_now", "current_ampere", 1e6],
  ["energy_empty", "energy_empty", 1e6],
  ["energy_empty_design", "energy_empty_design", 1e6],
  ["energy_full", "energy_full", 1e6],
  ["energy_full_design", "energy_full_design", 1e6],
  ["energy_now", "energy_watthour", 1e6],
  ["voltage_boot", "voltage_boot", 1e6],
  ["voltage_max", "voltage_max", 1e6],
  ["voltage_max_design", "voltage_max_design", 1e6],
  ["voltage_min", "voltage_min", 1e6],
  ["voltage_min_design", "voltage_min_design", 1e6],
  ["voltage_now", "voltage_volt", 1e6],
  ["voltage_ocv", "voltage_ocv", 1e6],
  ["charge_control_limit", "charge_control_limit", 1e6],
  ["charge_control_limit_max", "charge_control_limit_max", 1e6],
  ["charge_counter", "charge_counter", 1e6],
  ["charge_empty", "charge_empty", 1e6],
  ["charge_empty_design", "charge_empty_design", 1e6],
  ["charge_full", "charge_full", 1e6],
  ["charge_full_design", "charge_full_design", 1e6],
  ["charge_now", "charge_ampere", 1e6],
  ["charge_term_current", "charge_term_current", 1e6],
  ["constant_charge_current", "constant_charge_current", 1e6],
  ["constant_charge_current_max", "constant_charge_current_max", 1e6],
  ["constant_charge_voltage", "constant_charge_voltage", 1e6],
  ["constant_charge_voltage_max", "constant_charge_voltage_max", 1e6],
  ["precharge_current", "precharge_current", 1e6],
  ["input_current_limit", "input_current_limit", 1e6],
  ["power_now", "power_watt", 1e6],
  ["temp", "temp_celsius", 10],
  ["temp_alert_max", "temp_alert_max_celsius", 10],
  ["temp_alert_min", "temp_alert_min_celsius", 10],
  ["temp_ambient", "temp_ambient_celsius", 10],
  ["temp_ambient_max", "temp_ambient_max_celsius", 10],
  ["temp_ambient_min", "temp_ambient_min_celsius", 10],
  ["temp_max", "temp_max_celsius", 10],
  ["temp_min", "temp_min_celsius", 10],
];

/** String attributes that label node_power_supply_info when non-empty. */
const INFO = ["capacity_level", "charge_type", "health", "manufacturer", "model_name", "serial_number", "status", "technology", "type", "usb_type", "scope"];

/**
 * Every regular file of one supply's directory, as node_exporter's sysfs library reads it: a file that is missing
 * or answers EOPNOTSUPP is left out, and any other error (ENODATA from a battery that is not answering, EINVAL,
 * EACCES) fails the collector.
 */
function readSupply(dir: string): Map<string, string> {
  return readRegularFiles(dir, (code) => code === "ENOENT" || code === "ENOTSUP" || code === "EOPNOTSUPP");
}

export const powersupplyclass = defineCollector({
  name: "powersupplyclass",
  defaultEnabled: true,
  flags: {
    ignoredSupplies: flag.regex("collector.powersupply.ignored-supplies", "^$", "Regexp of power supplies to ignore for powersupplyclass collector."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "power_supply");
      // Ignored supplies are read too, and can fail the collector, as in node_exporter 1.8.2.
      const supplies = listSourceDir(root)
        .sort()
        .map((name) => ({ power_supply: name, attrs: readSupply(join(root, name)) }));
      for (const { power_supply, attrs } of supplies) {
        if (config.ignoredSupplies?.test(power_supply)) continue;
        for (const [file, metric, scale] of NUMERIC) {
          const raw = attrs.get(file);
          if (raw === undefined || raw === "") continue;
          const v = Number(raw);
          if (!Number.isInteger(v)) continue;
          out
            .family(`node_power_supply_${metric}`, "gauge", `${metric} value of /sys/class/power_supply/<power_supply>.`)
            .add(scale === 1 ? v : v / scale, { power_supply });
        }
        const labels: Record<string, string> = { power_supply };
        for (const key of INFO) {
          const v = attrs.get(key);
          if (v) labels[key] = utf8Label(v);
        }
        out.gauge("node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", 1, labels);
      }
    },
  }),
});
