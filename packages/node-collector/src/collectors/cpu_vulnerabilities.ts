/**
 * One info series per CPU vulnerability the kernel reports in sysfs devices/system/cpu/vulnerabilities
 * (node_exporter's cpu_vulnerabilities collector).
 */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listDir, readAttr, sysPath } from "../read.ts";

/** The kernel's wording of a vulnerability's state and the state label node_exporter gives it. */
const STATES: [prefix: string, state: string][] = [
  ["Vulnerable", "vulnerable"],
  ["Mitigation", "mitigation"],
];

export const cpu_vulnerabilities = defineCollector({
  name: "cpu_vulnerabilities",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const dir = sysPath(paths, "devices/system/cpu/vulnerabilities");
      const fam = out.family(
        "node_cpu_vulnerabilities_info",
        "gauge",
        "Details of each CPU vulnerability reported by sysfs. The value of the series is an int encoded state of the vulnerability. The same state is stored as a string in the label",
      );
      for (const codename of listDir(dir).sort()) {
        const value = readAttr(join(dir, codename));
        if (value === null) throw new Error(`cpu_vulnerabilities: cannot read ${join(dir, codename)}`);
        if (value === "Not affected") {
          fam.add(1, { codename, mitigation: "", state: "not affected" });
          continue;
        }
        const known = STATES.find(([prefix]) => value.startsWith(prefix));
        if (!known) throw new Error(`cpu_vulnerabilities: unknown vulnerability state for ${codename}: ${value}`);
        let mitigation = value.slice(known[0].length);
        if (mitigation.startsWith(": ")) mitigation = mitigation.slice(2);
        fam.add(1, { codename, mitigation, state: known[1] });
      }
    },
  }),
});
