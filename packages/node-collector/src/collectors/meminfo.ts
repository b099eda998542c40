import { defineCollector } from "../collector.ts";
import { integerAt, KeyedLines, procPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

/** `Active(anon)` -> `Active_anon`, as node_exporter names the field. */
function fieldName(key: string): string {
  const open = key.indexOf("(");
  if (open < 0) return key;
  return key.slice(0, open) + "_" + key.slice(open + 1).replace(")", "");
}

interface Field {
  name: string;
  help: string;
  scale: number;
}

/** What a meminfo line becomes: its unit ("kB" or none) picks the name's suffix and the scale. */
function fieldOf(key: string, line: string): Field {
  const unit = line.trimEnd().endsWith(" kB");
  const full = unit ? fieldName(key) + "_bytes" : fieldName(key);
  return { name: `node_memory_${full}`, help: `Memory information field ${full}.`, scale: unit ? 1024 : 1 };
}

function colon(text: string, start: number, end: number): number {
  const at = text.indexOf(":", start);
  return at < end ? at : -1;
}

export const meminfo = defineCollector({
  name: "meminfo",
  defaultEnabled: true,
  create({ paths }) {
    const path = procPath(paths, "meminfo");
    const layout = new KeyedLines(colon, fieldOf);
    return {
      collect(out) {
        const text = readRequired(path);
        layout.each(text, (f, valueStart, lineEnd) => {
          const value = integerAt(text, valueStart, lineEnd);
          if (!Number.isNaN(value)) out.gauge(f.name, f.help, value * f.scale);
        });
      },
    };
  },
});
