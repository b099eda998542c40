/** Fibre Channel host statistics from /sys/class/fc_host (node_exporter's fibrechannel collector). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { errnoOf, goInt, listSourceDir } from "../read.ts";
import { readRegularFiles, readStrict } from "../strict-read.ts";
import { utf8Label } from "../utf8.ts";

/** statistics/<file> -> metric suffix and help. */
const COUNTERS: [file: string, metric: string, help: string][] = [
  ["dumped_frames", "dumped_frames_total", "Number of dumped frames"],
  ["error_frames", "error_frames_total", "Number of errors in frames"],
  ["invalid_crc_count", "invalid_crc_total", "Invalid Cyclic Redundancy Check count"],
  ["rx_frames", "rx_frames_total", "Number of frames received"],
  ["rx_words", "rx_words_total", "Number of words received by host port"],
  ["tx_frames", "tx_frames_total", "Number of frames transmitted by host port"],
  ["tx_words", "tx_words_total", "Number of words transmitted by host port"],
  ["seconds_since_last_reset", "seconds_since_last_reset_total", "Number of seconds since last host port reset"],
  ["invalid_tx_word_count", "invalid_tx_words_total", "Number of invalid words transmitted by host port"],
  ["link_failure_count", "link_failure_total", "Number of times the host port link has failed"],
  ["loss_of_sync_count", "loss_of_sync_total", "Number of failures on either bit or transmission word boundaries"],
  ["loss_of_signal_count", "loss_of_signal_total", "Number of times signal has been lost"],
  ["nos_count", "nos_total", "Number Not_Operational Primitive Sequence received by host port"],
  ["fcp_packet_aborts", "fcp_packet_aborts_total", "Number of aborted packets"],
];

/** HBA firmware reports a counter it does not implement as all ones. */
const UNIMPLEMENTED = 2n ** 64n - 1n;

/** `0x`-prefixed WWNs and port ids are shown without the prefix. */
function hexName(v: string): string {
  return v.length > 2 ? v.slice(2) : v;
}

/** Statistics node_exporter's sysfs library parses (Go's ParseUint(s, 0, 64)); the rest are only read. */
const PARSED = new Set(
  ("dumped_frames error_frames fc_no_free_exch fc_no_free_exch_xid fc_non_bls_resp fc_seq_not_found fc_xid_busy " +
    "fc_xid_not_found fcp_control_requests fcp_frame_alloc_failures fcp_input_megabytes fcp_input_requests " +
    "fcp_output_megabytes fcp_output_requests fcp_packet_aborts fcp_packet_alloc_failures invalid_tx_word_count " +
    "invalid_crc_count link_failure_count lip_count loss_of_signal_count loss_of_sync_count nos_count " +
    "prim_seq_protocol_err_count rx_frames rx_words seconds_since_last_reset tx_frames tx_words").split(" "),
);
const ATTRIBUTES = ["speed", "port_state", "port_type", "port_id", "port_name", "fabric_name", "symbolic_name", "supported_classes", "supported_speeds", "dev_loss_tmo"];

/**
 * One host as node_exporter 1.8.2's sysfs library reads it: a missing attribute is left empty and any other
 * error throws; every regular file of statistics/ is read (missing or EOPNOTSUPP left out, as write-only files
 * answer, reset_statistics not tried) and a statistic it parses must be an unsigned integer.
 */
function readHost(dir: string): { attrs: Map<string, string>; stats: Map<string, string> } {
  const attrs = new Map<string, string>();
  for (const f of ATTRIBUTES) {
    try {
      attrs.set(f, readStrict(join(dir, f)));
    } catch (e) {
      if (errnoOf(e) !== "ENOENT") throw e;
    }
  }
  // reset_statistics is write-only, and node_exporter does not try it.
  const stats = readRegularFiles(join(dir, "statistics"), (code, name) => name === "reset_statistics" || code === "ENOENT" || code === "ENOTSUP" || code === "EOPNOTSUPP");
  for (const [name, value] of stats) {
    if (PARSED.has(name) && !(/^[0-9]/.test(value) && !Number.isNaN(goInt(value)))) throw new Error(`${dir}/statistics/${name}: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  return { attrs, stats };
}

export const fibrechannel = defineCollector({
  name: "fibrechannel",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "fc_host");
      // Every host is read before anything is added; a host without statistics/ is no data, as in 1.8.2.
      let hosts: { fc_host: string; attrs: Map<string, string>; stats: Map<string, string> }[];
      try {
        hosts = listSourceDir(root)
          .sort()
          .map((fc_host) => ({ fc_host, ...readHost(join(root, fc_host)) }));
      } catch (e) {
        if (errnoOf(e) === "ENOENT") throw new NoDataError((e as Error).message);
        throw e;
      }
      const info = out.family("node_fibrechannel_info", "gauge", "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.");
      const families = COUNTERS.map(([, metric, help]) => out.family(`node_fibrechannel_${metric}`, "counter", help));
      for (const { fc_host, attrs, stats } of hosts) {
        const attr = (f: string) => utf8Label(attrs.get(f) ?? "");
        info.add(1, {
          fc_host,
          speed: attr("speed"),
          port_state: attr("port_state"),
          port_type: attr("port_type"),
          port_id: hexName(attr("port_id")),
          port_name: hexName(attr("port_name")),
          fabric_name: hexName(attr("fabric_name")),
          symbolic_name: attr("symbolic_name"),
          supported_classes: attr("supported_classes"),
          supported_speeds: attr("supported_speeds"),
          dev_loss_tmo: attr("dev_loss_tmo"),
        });
        COUNTERS.forEach(([file], i) => {
          const raw = stats.get(file);
          // An absent counter reads as 0, as node_exporter reports it.
          const v = raw === undefined || raw === "" ? 0n : BigInt(raw);
          if (v !== UNIMPLEMENTED) families[i]!.add(Number(v), { fc_host });
        });
      }
    },
  }),
});
