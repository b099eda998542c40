/** SCSI tape drive statistics from /sys/class/scsi_tape/st<N>/stats (node_exporter's tapestats collector). */
import { join } from "node:path";
import { flag, type MetricType } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listSourceDir, readAttr } from "../read.ts";

/** [stats file, metric, type, help, divisor (ns -> s)]. */
const STATS: [string, string, MetricType, string, number][] = [
  ["in_flight", "io_now", "gauge", "The number of I/Os currently outstanding to this device.", 1],
  ["io_ns", "io_time_seconds_total", "counter", "The amount of time spent waiting for all I/O to complete (including read and write). This includes tape movement commands such as seeking between file or set marks and implicit tape movement such as when rewind on close tape devices are used.", 1e9],
  ["other_cnt", "io_others_total", "counter", "The number of I/Os issued to the tape drive other than read or write commands. The time taken to complete these commands uses the following calculation io_time_seconds_total-read_time_seconds_total-write_time_seconds_total", 1],
  ["read_byte_cnt", "read_bytes_total", "counter", "The number of bytes read from the tape drive.", 1],
  ["read_cnt", "reads_completed_total", "counter", "The number of read requests issued to the tape drive.", 1],
  ["read_ns", "read_time_seconds_total", "counter", "The amount of time spent waiting for read requests to complete.", 1e9],
  ["resid_cnt", "residual_total", "counter", "The number of times during a read or write we found the residual amount to be non-zero. This should mean that a program is issuing a read larger thean the block size on tape. For write not all data made it to tape.", 1],
  ["write_byte_cnt", "written_bytes_total", "counter", "The number of bytes written to the tape drive.", 1],
  ["write_cnt", "writes_completed_total", "counter", "The number of write requests issued to the tape drive.", 1],
  ["write_ns", "write_time_seconds_total", "counter", "The amount of time spent waiting for write requests to complete.", 1e9],
];

export const tapestats = defineCollector({
  name: "tapestats",
  defaultEnabled: true,
  flags: {
    ignoredDevices: flag.regex("collector.tapestats.ignored-devices", "^$", "Regexp of devices to ignore for tapestats."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const root = join(paths.sysfs, "class", "scsi_tape");
      // Only the rewinding st<N> nodes: nst<N> and the mode variants (st0a, st0l...) share their statistics.
      const devices = listSourceDir(root).filter((d) => /^st\d+$/.test(d)).sort();
      for (const device of devices) {
        if (config.ignoredDevices?.test(device)) continue;
        for (const [file, metric, type, help, divisor] of STATS) {
          const raw = readAttr(join(root, device, "stats", file));
          if (raw === null) throw new Error(`tapestats: cannot read ${join(root, device, "stats", file)}`);
          out.family(`node_tape_${metric}`, type, help).add(Number(raw) / divisor, { device });
        }
      }
    },
  }),
});
