import { existsSync } from "node:fs";
import { flag } from "@agent/core";
import { defineCollector, type NodePaths } from "../collector.ts";
import { deviceFilter, field, fields, lines, procPath, readText } from "../read.ts";
import { readRequired } from "../strict-read.ts";

const DEFAULT_EXCLUDE = "^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$";
const SECTOR = 512;

/** /proc/diskstats columns after major, minor, name: [metric, type, help, scale]. */
const COLUMNS: [string, "counter" | "gauge", string, number][] = [
  ["node_disk_reads_completed_total", "counter", "The total number of reads completed successfully.", 1],
  ["node_disk_reads_merged_total", "counter", "The total number of reads merged.", 1],
  ["node_disk_read_bytes_total", "counter", "The total number of bytes read successfully.", SECTOR],
  ["node_disk_read_time_seconds_total", "counter", "The total number of seconds spent by all reads.", 0.001],
  ["node_disk_writes_completed_total", "counter", "The total number of writes completed successfully.", 1],
  ["node_disk_writes_merged_total", "counter", "The number of writes merged.", 1],
  ["node_disk_written_bytes_total", "counter", "The total number of bytes written successfully.", SECTOR],
  ["node_disk_write_time_seconds_total", "counter", "This is the total number of seconds spent by all writes.", 0.001],
  ["node_disk_io_now", "gauge", "The number of I/Os currently in progress.", 1],
  ["node_disk_io_time_seconds_total", "counter", "Total seconds spent doing I/Os.", 0.001],
  ["node_disk_io_time_weighted_seconds_total", "counter", "The weighted # of seconds spent doing I/Os.", 0.001],
  ["node_disk_discards_completed_total", "counter", "The total number of discards completed successfully.", 1],
  ["node_disk_discards_merged_total", "counter", "The total number of discards merged.", 1],
  ["node_disk_discarded_sectors_total", "counter", "The total number of sectors discarded successfully.", 1],
  ["node_disk_discard_time_seconds_total", "counter", "This is the total number of seconds spent by all discards.", 0.001],
  ["node_disk_flush_requests_total", "counter", "The total number of flush requests completed successfully", 1],
  ["node_disk_flush_requests_time_seconds_total", "counter", "This is the total number of seconds spent by all flush requests.", 0.001],
];

/** udev's ATA properties, as node_exporter reports them for a disk udev marks ID_ATA. */
const ATA: [prop: string, name: string, help: string][] = [
  ["ID_ATA_WRITE_CACHE", "node_disk_ata_write_cache", "ATA disk has a write cache."],
  ["ID_ATA_WRITE_CACHE_ENABLED", "node_disk_ata_write_cache_enabled", "ATA disk has its write cache enabled."],
  ["ID_ATA_ROTATION_RATE_RPM", "node_disk_ata_rotation_rate_rpm", "ATA disk rotation rate in RPMs (0 for SSDs)."],
];

/** `E:KEY=value` properties of a block device from udev's database (/run/udev/data/b<major>:<minor>). */
function udevProps(paths: NodePaths, major: string, minor: string, haveUdev: boolean): Map<string, string> {
  const props = new Map<string, string>();
  const text = haveUdev ? readText(`${paths.udevData}/b${major}:${minor}`) : null;
  if (text === null) return props;
  for (const line of lines(text)) {
    if (!line.startsWith("E:")) continue;
    const eq = line.indexOf("=");
    if (eq > 2) props.set(line.slice(2, eq), line.slice(eq + 1));
  }
  return props;
}

export const diskstats = defineCollector({
  name: "diskstats",
  defaultEnabled: true,
  flags: {
    deviceExclude: flag.regex("collector.diskstats.device-exclude", DEFAULT_EXCLUDE, "Regexp of diskstats devices to exclude (mutually exclusive to device-include)."),
    ignoredDevices: flag.regex("collector.diskstats.ignored-devices", "", "Deprecated: use --collector.diskstats.device-exclude."),
    deviceInclude: flag.regex("collector.diskstats.device-include", "", "Regexp of diskstats devices to include (mutually exclusive to device-exclude)."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const text = readRequired(procPath(paths, "diskstats"));
      // Containers and minimal hosts have no udev database: one stat instead of a failed open per disk.
      const haveUdev = existsSync(paths.udevData);
      const keep = deviceFilter(config.deviceInclude, config.ignoredDevices ?? config.deviceExclude);
      const fams = COLUMNS.map(([name, type, help]) => out.family(name, type, help));
      const info = out.family("node_disk_info", "gauge", "Info of /sys/block/<block_device>.");
      const fsInfo = out.family("node_disk_filesystem_info", "gauge", "Info about disk filesystem.");
      for (const line of lines(text)) {
        // The name first, so that excluded devices (a dozen loops on many hosts) are not split into 20 fields.
        const device = field(line, 2);
        if (device === undefined || !keep(device)) continue;
        const f = fields(line);
        const labels = { device };
        for (let i = 0; i < COLUMNS.length && i + 3 < f.length; i++) fams[i]!.add(Number(f[i + 3]) * COLUMNS[i]![3], labels);
        const udev = udevProps(paths, f[0]!, f[1]!, haveUdev);
        info.add(1, {
          device,
          major: f[0]!,
          minor: f[1]!,
          model: udev.get("ID_MODEL") ?? "",
          path: udev.get("ID_PATH") ?? "",
          revision: udev.get("ID_REVISION") ?? "",
          serial: udev.get("ID_SERIAL_SHORT") ?? "",
          wwn: udev.get("ID_WWN") ?? "",
        });
        const dmName = udev.get("DM_NAME");
        if (dmName) {
          out.gauge("node_disk_device_mapper_info", "Info about disk device mapper.", 1, {
            device,
            lv_layer: udev.get("DM_LV_LAYER") ?? "",
            lv_name: udev.get("DM_LV_NAME") ?? "",
            name: dmName,
            uuid: udev.get("DM_UUID") ?? "",
            vg_name: udev.get("DM_VG_NAME") ?? "",
          });
        }
        if (udev.get("ID_ATA")) {
          for (const [prop, name, help] of ATA) {
            const raw = udev.get(prop);
            // node_exporter skips a property that is absent or not a number.
            if (raw !== undefined && raw.trim() !== "" && !Number.isNaN(Number(raw))) out.gauge(name, help, Number(raw), labels);
          }
        }
        const fsType = udev.get("ID_FS_TYPE");
        if (fsType) {
          fsInfo.add(1, { device, type: fsType, usage: udev.get("ID_FS_USAGE") ?? "", uuid: udev.get("ID_FS_UUID") ?? "", version: udev.get("ID_FS_VERSION") ?? "" });
        }
      }
    },
  }),
});
