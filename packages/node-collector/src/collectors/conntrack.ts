import { defineCollector, NoDataError } from "../collector.ts";
import { procPath, readNumber, readText } from "../read.ts";
import { headerTable } from "../parsers.ts";

const STATS: [column: string, name: string, help: string][] = [
  ["found", "node_nf_conntrack_stat_found", "Number of searched entries which were successful."],
  ["invalid", "node_nf_conntrack_stat_invalid", "Number of packets seen which can not be tracked."],
  ["ignore", "node_nf_conntrack_stat_ignore", "Number of packets seen which are already connected to a conntrack entry."],
  ["insert", "node_nf_conntrack_stat_insert", "Number of entries inserted into the list."],
  ["insert_failed", "node_nf_conntrack_stat_insert_failed", "Number of entries for which list insertion was attempted but failed."],
  ["drop", "node_nf_conntrack_stat_drop", "Number of packets dropped due to conntrack failure."],
  ["early_drop", "node_nf_conntrack_stat_early_drop", "Number of dropped conntrack entries to make room for new ones, if maximum table size was reached."],
  ["search_restart", "node_nf_conntrack_stat_search_restart", "Number of conntrack table lookups which had to be restarted due to hashtable resizes."],
];

export const conntrack = defineCollector({
  name: "conntrack",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      // As node_exporter: a missing file (conntrack not loaded) is "no data", keeping what was read before it.
      const entries = readNumber(procPath(paths, "sys/net/netfilter/nf_conntrack_count"));
      if (entries === null) throw new NoDataError("nf_conntrack_count");
      out.gauge("node_nf_conntrack_entries", "Number of currently allocated flow entries for connection tracking.", entries);
      const max = readNumber(procPath(paths, "sys/net/netfilter/nf_conntrack_max"));
      if (max === null) throw new NoDataError("nf_conntrack_max");
      out.gauge("node_nf_conntrack_entries_limit", "Maximum size of connection tracking table.", max);
      const table = readText(procPath(paths, "net/stat/nf_conntrack"));
      if (table === null) throw new NoDataError("/proc/net/stat/nf_conntrack");
      // One row of hexadecimal counters per CPU, summed.
      const { header, rows } = headerTable(table);
      const sums = new Float64Array(header.length);
      for (const f of rows) {
        for (let c = 0; c < f.length && c < header.length; c++) sums[c]! += parseInt(f[c]!, 16);
      }
      for (const [col, name, help] of STATS) {
        const i = header.indexOf(col);
        if (i >= 0) out.gauge(name, help, sums[i]!);
      }
    },
  }),
});
