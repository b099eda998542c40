import { defineCollector } from "../collector.ts";
import { eachKeyValue, procPath, readText } from "../read.ts";

/** `Active(anon)` -> `Active_anon`, as node_exporter names the field. */
function fieldName(key: string): string {
  const open = key.indexOf("(");
  if (open < 0) return key;
  return key.slice(0, open) + "_" + key.slice(open + 1).replace(")", "");
}

/** Field (with its unit) -> metric name, help and scale, built once: the same ~60 fields come every scrape. */
const names = new Map<string, [name: string, help: string, scale: number]>();

function metricOf(key: string, unit: string): [string, string, number] {
  const id = key + "\0" + unit;
  let m = names.get(id);
  if (!m) {
    const field = fieldName(key);
    const full = unit === "kB" ? field + "_bytes" : field;
    m = [`node_memory_${full}`, `Memory information field ${full}.`, unit === "kB" ? 1024 : 1];
    if (names.size < 512) names.set(id, m);
  }
  return m;
}

export const meminfo = defineCollector({
  name: "meminfo",
  defaultEnabled: true,
  collect(out, { paths }) {
    const text = readText(procPath(paths, "meminfo"));
    if (text === null) return;
    eachKeyValue(text, (key, value, unit) => {
      const [name, help, scale] = metricOf(key, unit);
      out.gauge(name, help, value * scale);
    });
  },
});
