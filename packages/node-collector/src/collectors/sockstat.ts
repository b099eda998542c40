import type { MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";

/** Kernel page size; `mem` fields count pages. 4 KiB on every x86-64 and most arm64 kernels. */
const PAGE_SIZE = 4096;

function emit(out: MetricSet, text: string): void {
  for (const line of lines(text)) {
    const f = fields(line);
    const proto = f[0]!.slice(0, -1);
    for (let i = 1; i + 1 < f.length; i += 2) {
      const key = f[i]!;
      const v = Number(f[i + 1]);
      if (proto === "sockets") {
        out.gauge(`node_sockstat_sockets_${key}`, "Number of IPv4 sockets in use.", v);
        continue;
      }
      out.gauge(`node_sockstat_${proto}_${key}`, `Number of ${proto} sockets in state ${key}.`, v);
      if (key === "mem") out.gauge(`node_sockstat_${proto}_mem_bytes`, `Number of ${proto} sockets in state mem_bytes.`, v * PAGE_SIZE);
    }
  }
}

export const sockstat = defineCollector({
  name: "sockstat",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const v4 = readText(procPath(paths, "net/sockstat"));
      if (v4 !== null) emit(out, v4);
      const v6 = readText(procPath(paths, "net/sockstat6"));
      if (v6 !== null) emit(out, v6);
    },
  }),
});
