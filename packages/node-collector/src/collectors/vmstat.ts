import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { blankAt, integerAt, KeyedLines, procPath } from "../read.ts";
import { readRequired } from "../strict-read.ts";

interface Field {
  name: string;
  help: string;
}

export const vmstat = defineCollector({
  name: "vmstat",
  defaultEnabled: true,
  flags: { fields: flag.regex("collector.vmstat.fields", "^(oom_kill|pgpg|pswp|pg.*fault).*", "Regexp of fields to return for vmstat collector.") },
  create({ paths, config }) {
    const re = config.fields;
    const plan = (key: string): Field | null => (!re || re.test(key) ? { name: `node_vmstat_${key}`, help: `/proc/vmstat information field ${key}.` } : null);
    /** The layout of /proc/vmstat: ~180 lines, of which the default pattern keeps ~20. */
    const layout = new KeyedLines(blankAt, plan);
    return {
      collect(out) {
        const text = readRequired(procPath(paths, "vmstat"));
        layout.each(text, (f, at, end) => out.untyped(f.name, f.help, integerAt(text, at, end)));
      },
    };
  },
});
