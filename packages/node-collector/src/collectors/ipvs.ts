/** IPVS totals and per-backend connections from /proc/net/ip_vs_stats and /proc/net/ip_vs (node_exporter's ipvs collector). */
import { join } from "node:path";
import { ConfigError, flag, type FlagSpec } from "@agent/core";
import { defineCollector, NoDataError } from "../collector.ts";
import { formatIPv6 } from "../ip-address.ts";
import { fields, lines, readText } from "../read.ts";

const ALL_LABELS = ["local_address", "local_port", "remote_address", "remote_port", "proto", "local_mark"] as const;
type BackendLabel = (typeof ALL_LABELS)[number];

/** The chosen labels in node_exporter's fixed order; an unknown name is a configuration error. */
export function parseBackendLabels(list: readonly string[]): BackendLabel[] {
  const wanted = new Set(list.filter((l) => l !== ""));
  const unknown = [...wanted].filter((l) => !(ALL_LABELS as readonly string[]).includes(l)).sort();
  if (unknown.length > 0) throw new ConfigError(`--collector.ipvs.backend-labels: unknown IPVS backend labels: ${unknown.join(", ")}`);
  return ALL_LABELS.filter((l) => wanted.has(l));
}

/** A list flag whose unknown names are rejected when the command line is parsed, as node_exporter does at start. */
function backendLabelsFlag(): FlagSpec<BackendLabel[]> {
  const base = flag.list("collector.ipvs.backend-labels", ALL_LABELS, "Comma separated list for IPVS backend stats labels.");
  return { ...base, default: [...ALL_LABELS], parse: (raw) => parseBackendLabels(base.parse(raw)) };
}

/** `0A000164:01BB` or `[2001:0db8:...]:01BB` -> address and port. */
function parseAddressPort(text: string): { address: string; port: number } {
  const colon = text.lastIndexOf(":");
  const port = parseInt(text.slice(colon + 1), 16);
  const addr = text.slice(0, colon);
  if (addr.startsWith("[")) {
    return { address: formatIPv6(addr.slice(1, -1).split(":").map((g) => parseInt(g, 16))), port };
  }
  const n = parseInt(addr, 16);
  if (addr.length !== 8 || Number.isNaN(n) || Number.isNaN(port)) throw new Error(`ipvs: cannot parse address "${text}"`);
  return { address: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`, port };
}

export const ipvs = defineCollector({
  name: "ipvs",
  defaultEnabled: true,
  flags: {
    backendLabels: backendLabelsFlag(),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const statsPath = join(paths.procfs, "net", "ip_vs_stats");
      const statsText = readText(statsPath);
      if (statsText === null) throw new NoDataError(statsPath);
      const labelNames = config.backendLabels;
      const statLines = statsText.split("\n");
      const totals = statLines.length >= 4 ? fields(statLines[2]!) : [];
      if (totals.length !== 5) throw new Error("ipvs: unexpected /proc/net/ip_vs_stats format");
      const [conns, inPkts, outPkts, inBytes, outBytes] = totals.map((h) => parseInt(h, 16));
      out.counter("node_ipvs_connections_total", "The total number of connections made.", conns!);
      out.counter("node_ipvs_incoming_packets_total", "The total number of incoming packets.", inPkts!);
      out.counter("node_ipvs_outgoing_packets_total", "The total number of outgoing packets.", outPkts!);
      out.counter("node_ipvs_incoming_bytes_total", "The total amount of incoming data.", inBytes!);
      out.counter("node_ipvs_outgoing_bytes_total", "The total amount of outgoing data.", outBytes!);

      const table = readText(join(paths.procfs, "net", "ip_vs"));
      if (table === null) throw new Error("ipvs: /proc/net/ip_vs_stats exists but /proc/net/ip_vs does not");
      // Backends that share the chosen labels (when some are dropped) are summed, as node_exporter does.
      const sums = new Map<string, { labels: Record<string, string>; active: number; inactive: number; weight: number }>();
      let service: { proto: string; local_address: string; local_port: string; local_mark: string } | undefined;
      for (const line of lines(table)) {
        const f = fields(line);
        if (f[0] === "TCP" || f[0] === "UDP") {
          if (f.length < 2) continue;
          const { address, port } = parseAddressPort(f[1]!);
          service = { proto: f[0], local_address: address, local_port: String(port), local_mark: "" };
        } else if (f[0] === "FWM") {
          if (f.length < 2) continue;
          service = { proto: f[0], local_address: "", local_port: "0", local_mark: f[1]! };
        } else if (f[0] === "->" && service && f.length >= 6) {
          const { address, port } = parseAddressPort(f[1]!);
          const all: Record<BackendLabel, string> = { ...service, remote_address: address, remote_port: String(port) };
          const labels: Record<string, string> = {};
          for (const l of labelNames) labels[l] = all[l];
          const key = labelNames.map((l) => labels[l]).join("-");
          let s = sums.get(key);
          if (!s) sums.set(key, (s = { labels, active: 0, inactive: 0, weight: 0 }));
          s.weight += Number(f[3]) || 0;
          s.active += Number(f[4]) || 0;
          s.inactive += Number(f[5]) || 0;
        }
      }
      const active = out.family("node_ipvs_backend_connections_active", "gauge", "The current active connections by local and remote address.");
      const inactive = out.family("node_ipvs_backend_connections_inactive", "gauge", "The current inactive connections by local and remote address.");
      const weight = out.family("node_ipvs_backend_weight", "gauge", "The current backend weight by local and remote address.");
      for (const s of sums.values()) {
        active.add(s.active, s.labels);
        inactive.add(s.inactive, s.labels);
        weight.add(s.weight, s.labels);
      }
    },
  }),
});
