/**
 * Per-NUMA-node memory and allocation counters from sysfs devices/system/node/node<N>/{meminfo,numastat}
 * (node_exporter's meminfo_numa collector).
 */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { fields, lines, listDir, readText, sysPath } from "../read.ts";

function mustRead(path: string): string {
  const text = readText(path);
  if (text === null) throw new Error(`couldn't get NUMA meminfo: ${path} does not exist`);
  return text;
}

export const meminfo_numa = defineCollector({
  name: "meminfo_numa",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const base = sysPath(paths, "devices/system/node");
      const nodes = listDir(base).filter((n) => /^node\d/.test(n)).sort();
      for (const dir of nodes) {
        // "Node 0 Active(anon):   123 kB": a gauge per field, in bytes where the kernel gives kB, named after the
        // field without a _bytes suffix (Active(anon) -> Active_anon), as node_exporter 1.8.2 names them.
        for (const line of lines(mustRead(join(base, dir, "meminfo")))) {
          const f = fields(line);
          if (f.length === 0) continue;
          const v = Number(f[3]);
          if (f[3] === undefined || Number.isNaN(v) || !(f.length === 4 || (f.length === 5 && f[4] === "kB"))) {
            throw new Error(`couldn't get NUMA meminfo: invalid line "${line.trim()}"`);
          }
          const metric = f[2]!.replace(/:+$/, "").replace(/\((.*)\)/, "_$1");
          out.family(`node_memory_numa_${metric}`, "gauge", `Memory information field ${metric}.`).add(f.length === 5 ? v * 1024 : v, { node: f[1]! });
        }
        const node = /^node(\d*)/.exec(dir)![1]!;
        // "numa_hit 12345": allocation counters.
        for (const line of lines(mustRead(join(base, dir, "numastat")))) {
          const f = fields(line);
          if (f.length === 0) continue;
          const v = Number(f[1]);
          if (f.length !== 2 || Number.isNaN(v)) throw new Error(`couldn't get NUMA meminfo: invalid numastat line "${line.trim()}"`);
          const metric = f[0] + "_total";
          out.family(`node_memory_numa_${metric}`, "counter", `Memory information field ${metric}.`).add(v, { node });
        }
      }
    },
  }),
});
