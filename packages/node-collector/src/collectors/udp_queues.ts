import { defineCollector, NoDataError } from "../collector.ts";
import { procPath, readText } from "../read.ts";

/** Sums the tx_queue:rx_queue column (hex) over every socket line of /proc/net/udp or udp6. */
function sumQueues(text: string): [tx: number, rx: number] {
  let tx = 0;
  let rx = 0;
  let pos = text.indexOf("\n") + 1; // header
  while (pos > 0 && pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    // The fifth field is "txq:rxq"; find it as the second ':' pair after the addresses.
    let i = pos;
    for (let field = 0; field < 4; field++) {
      while (i < end && text.charCodeAt(i) === 32) i++;
      while (i < end && text.charCodeAt(i) !== 32) i++;
    }
    while (i < end && text.charCodeAt(i) === 32) i++;
    const colon = text.indexOf(":", i);
    const stop = text.indexOf(" ", colon);
    if (colon > 0 && colon < end) {
      tx += parseInt(text.slice(i, colon), 16);
      rx += parseInt(text.slice(colon + 1, stop < 0 || stop > end ? end : stop), 16);
    }
    pos = end + 1;
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
