import { defineCollector } from "../collector.ts";
import { procPath, readNumber } from "../read.ts";

export const entropy = defineCollector({
  name: "entropy",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const avail = readNumber(procPath(paths, "sys/kernel/random/entropy_avail"));
      if (avail === null) return;
      out.gauge("node_entropy_available_bits", "Bits of available entropy.", avail);
      const pool = readNumber(procPath(paths, "sys/kernel/random/poolsize"));
      if (pool !== null) out.gauge("node_entropy_pool_size_bits", "Bits of entropy pool.", pool);
    },
  }),
});
