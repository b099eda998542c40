import { defineCollector, NoDataError } from "../collector.ts";
import { field, lines, procPath, readText } from "../read.ts";

/** Sums the tx_queue:rx_queue column (the fifth field, hex) over every socket line of /proc/net/udp or udp6. */
function sumQueues(text: string): [tx: number, rx: number] {
  let tx = 0;
  let rx = 0;
  for (const line of lines(text).slice(1)) {
    const queues = field(line, 4) ?? "";
    const colon = queues.indexOf(":");
    if (colon < 0) continue;
    tx += parseInt(queues.slice(0, colon), 16);
    rx += parseInt(queues.slice(colon + 1), 16);
  }
  return [tx, rx];
}

export const udp_queues = defineCollector({
  name: "udp_queues",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      let found = false;
      for (const [file, ip] of [["net/udp", "v4"], ["net/udp6", "v6"]] as const) {
        const text = readText(procPath(paths, file));
        if (text === null) continue;
        found = true;
        const [tx, rx] = sumQueues(text);
        const fam = out.family("node_udp_queues", "gauge", "Number of allocated memory in the kernel for UDP datagrams in bytes.");
        fam.add(rx, { ip, queue: "rx" });
        fam.add(tx, { ip, queue: "tx" });
      }
      if (!found) throw new NoDataError("/proc/net/udp and /proc/net/udp6");
    },
  }),
});
