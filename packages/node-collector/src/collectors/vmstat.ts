import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { memoMatcher, procPath, readText } from "../read.ts";

const matcher = memoMatcher();
/** Metric name and help per vmstat field, made once for the ~20 fields the default pattern keeps. */
const familyNames = new Map<string, [name: string, help: string]>();

function namesOf(key: string): [string, string] {
  let names = familyNames.get(key);
  if (!names) {
    names = [`node_vmstat_${key}`, `/proc/vmstat information field ${key}.`];
    if (familyNames.size < 1024) familyNames.set(key, names);
  }
  return names;
}

export const vmstat = defineCollector({
  name: "vmstat",
  defaultEnabled: true,
  flags: { fields: flag.regex("collector.vmstat.fields", "^(oom_kill|pgpg|pswp|pg.*fault).*", "Regexp of fields to return for vmstat collector.") },
  collect(out, { paths, config }) {
    const text = readText(procPath(paths, "vmstat"));
    if (text === null) return;
    const want = matcher(config.fields);
    let pos = 0;
    while (pos < text.length) {
      let end = text.indexOf("\n", pos);
      if (end < 0) end = text.length;
      const sp = text.indexOf(" ", pos);
      if (sp > pos && sp < end) {
        const key = text.slice(pos, sp);
        if (want(key)) {
          const [name, help] = namesOf(key);
          out.untyped(name, help, Number(text.slice(sp + 1, end)));
        }
      }
      pos = end + 1;
    }
  },
});
