/** Fibre Channel host statistics from /sys/class/fc_host (node_exporter's fibrechannel collector). */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { listDir, readAttr } from "../read.ts";
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

export const fibrechannel = defineCollector({
  name: "fibrechannel",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "fc_host");
      const hosts = listDir(root).sort();
      if (hosts.length === 0 && !existsSync(root)) throw new NoDataError(root);
      const info = out.family("node_fibrechannel_info", "gauge", "Non-numeric data from /sys/class/fc_host/<host>, value is always 1.");
      const families = COUNTERS.map(([, metric, help]) => out.family(`node_fibrechannel_${metric}`, "counter", help));
      for (const fc_host of hosts) {
        const dir = join(root, fc_host);
        const attr = (f: string) => utf8Label(readAttr(join(dir, f)) ?? "");
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
        const present = new Set(listDir(join(dir, "statistics")));
        COUNTERS.forEach(([file], i) => {
          const raw = present.has(file) ? readAttr(join(dir, "statistics", file)) : null;
          // An absent counter reads as 0, as node_exporter reports it.
          const v = raw === null || raw === "" ? 0n : BigInt(raw);
          if (v !== UNIMPLEMENTED) families[i]!.add(Number(v), { fc_host });
        });
      }
    },
  }),
});
