/** Configured and active slaves of each Linux bonding master, from /sys/class/net (node_exporter's bonding collector). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { fields, readAttr, readText } from "../read.ts";

export const bonding = defineCollector({
  name: "bonding",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "net");
      const masters = readText(join(root, "bonding_masters"));
      if (masters === null) throw new NoDataError(join(root, "bonding_masters"));
      const slavesFam = out.family("node_bonding_slaves", "gauge", "Number of configured slaves per bonding interface.");
      const activeFam = out.family("node_bonding_active", "gauge", "Number of active slaves per bonding interface.");
      for (const master of fields(masters).sort()) {
        const slaves = readText(join(root, master, "bonding", "slaves"));
        if (slaves === null) throw new Error(`bonding master ${master} has no ${join(root, master, "bonding", "slaves")}`);
        let configured = 0;
        let active = 0;
        for (const slave of fields(slaves)) {
          // Older kernels name the link slave_<dev> instead of lower_<dev>.
          const state =
            readAttr(join(root, master, `lower_${slave}`, "bonding_slave", "mii_status")) ??
            readAttr(join(root, master, `slave_${slave}`, "bonding_slave", "mii_status"));
          if (state === null) throw new Error(`bonding slave ${slave} of ${master} has no mii_status`);
          configured++;
          if (state === "up") active++;
        }
        slavesFam.add(configured, { master });
        activeFam.add(active, { master });
      }
    },
  }),
});
