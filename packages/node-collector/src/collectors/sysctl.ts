/**
 * Chosen sysctls from /proc/sys (node_exporter's sysctl collector): --collector.sysctl.include for numeric
 * values, --collector.sysctl.include-info for text, each `name` or `name:key1,key2` to name a multi-value
 * sysctl's fields.
 */
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { fields, goInt, procPath, readAttr } from "../read.ts";
import type { MetricSet } from "@agent/core";

interface Sysctl {
  name: string;
  keys: string[];
  numeric: boolean;
}

function parseSysctl(include: string, numeric: boolean): Sysctl {
  const colon = include.indexOf(":");
  if (colon < 0) return { name: include, keys: [], numeric };
  return { name: include.slice(0, colon), keys: include.slice(colon + 1).split(","), numeric };
}

/** node_exporter's SanitizeMetricName: each run of other characters, with the underscores around it, becomes one "_". */
function metricName(name: string): string {
  return name.replace(/_*[^0-9A-Za-z_]+_*/g, "_");
}

function emit(out: MetricSet, s: Sysctl, values: string[]): void {
  const info = (value: string, index: number) =>
    out.family("node_sysctl_info", "gauge", "sysctl info").add(1, { index: String(index), name: s.name, value });
  if (values.length === 0) throw new Error(`sysctl ${s.name} has no values`);
  if (values.length === 1) {
    if (s.keys.length > 0) throw new Error(`sysctl ${s.name} has only one value, but expected ${s.keys.join(",")}`);
    if (s.numeric) out.untyped(`node_sysctl_${metricName(s.name)}`, `sysctl ${s.name}`, goInt(values[0]!));
    else info(values[0]!, 0);
    return;
  }
  if (s.keys.length === 0) {
    if (!s.numeric) return values.forEach(info);
    const fam = out.family(`node_sysctl_${metricName(s.name)}`, "untyped", `sysctl ${s.name}`);
    values.forEach((v, i) => fam.add(goInt(v), { index: String(i) }));
    return;
  }
  if (values.length !== s.keys.length) throw new Error(`sysctl ${s.name} has ${values.length} keys but only ${s.keys.length} defined in flag`);
  if (!s.numeric) throw new Error("mapped sysctl string values not supported");
  values.forEach((v, i) => out.untyped(`node_sysctl_${metricName(s.name)}_${s.keys[i]}`, `sysctl ${s.name}, field ${i}`, goInt(v)));
}

export const sysctl = defineCollector({
  name: "sysctl",
  defaultEnabled: false,
  flags: {
    include: flag.repeated("collector.sysctl.include", "Select sysctl metrics to include."),
    includeInfo: flag.repeated("collector.sysctl.include-info", "Select sysctl metrics to include as info metrics."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const all = [...config.include.map((i) => parseSysctl(i, true)), ...config.includeInfo.map((i) => parseSysctl(i, false))];
      for (const s of all) {
        // vm.swappiness is /proc/sys/vm/swappiness.
        const path = procPath(paths, "sys/" + s.name.replaceAll(".", "/"));
        const text = readAttr(path);
        if (text === null) throw new Error(`error obtaining sysctl info: cannot read ${path}`);
        const values = fields(text);
        if (s.numeric) {
          const bad = values.findIndex((v) => Number.isNaN(goInt(v)));
          if (bad >= 0) throw new Error(`error obtaining sysctl info: field ${bad} in sysctl ${s.name} is not a valid int`);
        }
        emit(out, s, values);
      }
    },
  }),
});
