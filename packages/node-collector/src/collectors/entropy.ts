import { defineCollector } from "../collector.ts";
import { procPath } from "../read.ts";
import { readUintStrict } from "../strict-read.ts";

export const entropy = defineCollector({
  name: "entropy",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      out.gauge("node_entropy_available_bits", "Bits of available entropy.", readUintStrict(procPath(paths, "sys/kernel/random/entropy_avail")));
      out.gauge("node_entropy_pool_size_bits", "Bits of entropy pool.", readUintStrict(procPath(paths, "sys/kernel/random/poolsize")));
    },
  }),
});
