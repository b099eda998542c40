import { defineCollector } from "../collector.ts";
import { procPath, readText } from "../read.ts";

const STATES = ["", "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait", "close", "close_wait", "last_ack", "listen", "closing"];

/** Counts sockets per state and sums queue sizes over /proc/net/tcp{,6}: `sl local rem st tx:rx ...`. */
function tally(text: string, counts: Map<string, number>): void {
  let pos = text.indexOf("\n") + 1;
  while (pos > 0 && pos < text.length) {
    let end = text.indexOf("\n", pos);
    if (end < 0) end = text.length;
    let i = pos;
    const field = () => {
      while (i < end && text.charCodeAt(i) === 32) i++;
      const s = i;
      while (i < end && text.charCodeAt(i) !== 32) i++;
      return text.slice(s, i);
    };
    field();
    field();
    field();
    const st = STATES[parseInt(field(), 16)];
    const queues = field();
    if (st) {
      counts.set(st, (counts.get(st) ?? 0) + 1);
      const colon = queues.indexOf(":");
      counts.set("tx_queued_bytes", (counts.get("tx_queued_bytes") ?? 0) + parseInt(queues.slice(0, colon), 16));
      counts.set("rx_queued_bytes", (counts.get("rx_queued_bytes") ?? 0) + parseInt(queues.slice(colon + 1), 16));
    }
    pos = end + 1;
  }
}

export const tcpstat = defineCollector({
  name: "tcpstat",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const v4 = readText(procPath(paths, "net/tcp"));
      const v6 = readText(procPath(paths, "net/tcp6"));
      if (v4 === null && v6 === null) return;
      const counts = new Map<string, number>();
      if (v4 !== null) tally(v4, counts);
      if (v6 !== null) tally(v6, counts);
      const fam = out.family("node_tcp_connection_states", "gauge", "Number of connection states.");
      for (const [state, n] of counts) fam.add(n, { state });
    },
  }),
});
