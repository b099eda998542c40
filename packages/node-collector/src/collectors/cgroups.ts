/** Number of cgroups and enablement per controller, from /proc/cgroups (node_exporter's cgroups collector). */
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

export const cgroups = defineCollector({
  name: "cgroups",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "cgroups");
      const text = readText(path);
      if (text === null) throw new Error(`cgroups: ${path} does not exist`);
      // node_exporter 1.8.2 gives both families the same help text.
      const count = out.family("node_cgroups_cgroups", "gauge", "Current cgroup number of the subsystem.");
      const enabled = out.family("node_cgroups_enabled", "gauge", "Current cgroup number of the subsystem.");
      for (const line of lines(text)) {
        if (line.startsWith("#")) continue; // the "#subsys_name hierarchy num_cgroups enabled" header
        const f = fields(line);
        const n = Number(f[2]);
        const on = Number(f[3]);
        if (f.length < 4 || !Number.isInteger(n) || !Number.isInteger(on)) throw new Error(`cgroups: bad line "${line}" in ${path}`);
        count.add(n, { subsys_name: f[0]! });
        enabled.add(on, { subsys_name: f[0]! });
      }
    },
  }),
});
