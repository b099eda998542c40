import { existsSync } from "node:fs";
import { defineCollector, type NodePaths } from "../collector.ts";
import { AF_INET, AF_INET6, dumpTcpSockets } from "../inet-diag.ts";
import { field, lines, procPath, readText } from "../read.ts";

const STATES = ["", "established", "syn_sent", "syn_recv", "fin_wait1", "fin_wait2", "time_wait", "close", "close_wait", "last_ack", "listen", "closing"];

function add(counts: Map<string, number>, state: number, tx: number, rx: number): void {
  const st = STATES[state];
  if (!st) return;
  counts.set(st, (counts.get(st) ?? 0) + 1);
  counts.set("tx_queued_bytes", (counts.get("tx_queued_bytes") ?? 0) + tx);
  counts.set("rx_queued_bytes", (counts.get("rx_queued_bytes") ?? 0) + rx);
}

/** Counts sockets per state and sums queue sizes over /proc/net/tcp{,6}: `sl local rem st tx:rx ...`. */
function tally(text: string, counts: Map<string, number>): void {
  for (const line of lines(text).slice(1)) {
    const queues = field(line, 4) ?? "";
    const colon = queues.indexOf(":");
    add(counts, parseInt(field(line, 3) ?? "", 16), parseInt(queues.slice(0, colon), 16), parseInt(queues.slice(colon + 1), 16));
  }
}

/**
 * Socket counts per state and queued bytes. The live host's come over inet_diag netlink as node_exporter
 * reads them (where a listening socket's tx is its backlog limit; /proc/net/tcp shows 0 there); fixture trees
 * (--path.procfs) have only the files. IPv6 is read where the host has /proc/net/tcp6, as node_exporter does.
 */
function tcpStats(paths: NodePaths): Map<string, number> | null {
  const counts = new Map<string, number>();
  if (paths.procfs === "/proc") {
    const families = existsSync(procPath(paths, "net/tcp6")) ? [AF_INET, AF_INET6] : [AF_INET];
    for (const family of families) {
      const sockets = dumpTcpSockets(family);
      if (!sockets) throw new Error(`couldn't get tcp${family === AF_INET6 ? "6" : ""}stats over inet_diag netlink`);
      for (const s of sockets) add(counts, s.state, s.wqueue, s.rqueue);
    }
    return counts;
  }
  const v4 = readText(procPath(paths, "net/tcp"));
  const v6 = readText(procPath(paths, "net/tcp6"));
  if (v4 === null && v6 === null) return null;
  if (v4 !== null) tally(v4, counts);
  if (v6 !== null) tally(v6, counts);
  return counts;
}

export const tcpstat = defineCollector({
  name: "tcpstat",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const counts = tcpStats(paths);
      if (!counts) return;
      const fam = out.family("node_tcp_connection_states", "gauge", "Number of connection states.");
      for (const [state, n] of counts) fam.add(n, { state });
    },
  }),
});
