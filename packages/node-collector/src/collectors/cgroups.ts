/** Number of cgroups and enablement per controller, from /proc/cgroups (node_exporter's cgroups collector). */
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

export const cgroups = defineCollector({
  name: "cgroups",
  defaultEnabled: false,
  collect(out, { paths }) {
    const path = procPath(paths, "cgroups");
    const text = readText(path);
    if (text === null) throw new Error(`cgroups: ${path} does not exist`);
    // node_exporter 1.8.2 gives both families the same help text.
    const count = out.family("node_cgroups_cgroups", "gauge", "Current cgroup number of the subsystem.");
    const enabled = out.family("node_cgroups_enabled", "gauge", "Current cgroup number of the subsystem.");
    const rows = lines(text);
    // The first line is the "#subsys_name hierarchy num_cgroups enabled" header.
    for (let i = 1; i < rows.length; i++) {
      const f = fields(rows[i]!);
      if (f.length < 4) throw new Error(`cgroups: bad line "${rows[i]}" in ${path}`);
      const n = Number(f[2]);
      const on = Number(f[3]);
      if (!Number.isInteger(n) || !Number.isInteger(on)) throw new Error(`cgroups: bad line "${rows[i]}" in ${path}`);
      count.add(n, { subsys_name: f[0]! });
      enabled.add(on, { subsys_name: f[0]! });
    }
  },
});
