import { defineCollector } from "../collector.ts";
import { eachKeyValue, procPath, readText } from "../read.ts";

/** `Active(anon)` -> `Active_anon`, as node_exporter names the field. */
function fieldName(key: string): string {
  const open = key.indexOf("(");
  if (open < 0) return key;
  return key.slice(0, open) + "_" + key.slice(open + 1).replace(")", "");
}

export const meminfo = defineCollector({
  name: "meminfo",
  defaultEnabled: true,
  collect(out, { paths }) {
    const text = readText(procPath(paths, "meminfo"));
    if (text === null) return;
    eachKeyValue(text, (key, value, unit) => {
      const field = fieldName(key);
      const name = unit === "kB" ? `node_memory_${field}_bytes` : `node_memory_${field}`;
      out.gauge(name, `Memory information field ${unit === "kB" ? field + "_bytes" : field}.`, unit === "kB" ? value * 1024 : value);
    });
  },
});
