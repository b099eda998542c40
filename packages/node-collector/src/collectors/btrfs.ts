/**
 * Btrfs allocation and device statistics from /sys/fs/btrfs (node_exporter's btrfs collector, sysfs path).
 * node_exporter adds per-device error counters from the BTRFS_IOC_DEV_INFO/GET_DEV_STATS ioctls when it can
 * open the mount point; without them it exposes device sizes from sysfs, which is what this collector does.
 */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { listDir, readAttr } from "../read.ts";

/** Linux counts block device sizes in 512-byte sectors whatever the hardware block size. */
const SECTOR_SIZE = 512;
const BLOCK_GROUP_TYPES = ["data", "metadata", "system"] as const;

function uint(path: string): number {
  const n = Number(readAttr(path) ?? "0");
  return Number.isNaN(n) ? 0 : n;
}

/** Raw bytes per logical byte for a profile; parity profiles depend on the device count. */
function allocationRatio(mode: string, devices: number): number {
  switch (mode) {
    case "single":
    case "raid0":
      return 1;
    case "dup":
    case "raid1":
    case "raid10":
      return 2;
    case "raid5":
      return devices / (devices - 1);
    case "raid6":
      return devices / (devices - 2);
    default:
      return 0;
  }
}

export const btrfs = defineCollector({
  name: "btrfs",
  defaultEnabled: true,
  collect(out, { paths }) {
    const root = join(paths.sysfs, "fs", "btrfs");
    const info = out.family("node_btrfs_info", "gauge", "Filesystem information");
    const rsv = out.family("node_btrfs_global_rsv_size_bytes", "gauge", "Size of global reserve.");
    const reserved = out.family("node_btrfs_reserved_bytes", "gauge", "Amount of space reserved for a data type");
    const used = out.family("node_btrfs_used_bytes", "gauge", "Amount of used space by a layout/data type");
    const size = out.family("node_btrfs_size_bytes", "gauge", "Amount of space allocated for a layout/data type");
    const ratio = out.family("node_btrfs_allocation_ratio", "gauge", "Data allocation ratio for a layout/data type");
    const devSize = out.family("node_btrfs_device_size_bytes", "gauge", "Size of a device that is part of the filesystem.");
    for (const name of listDir(root).sort()) {
      if (!name.includes("-")) continue;
      const dir = join(root, name);
      const uuid = readAttr(join(dir, "metadata_uuid")) || name;
      const devices = listDir(join(dir, "devices")).sort();
      info.add(1, { label: readAttr(join(dir, "label")) ?? "", uuid });
      rsv.add(uint(join(dir, "allocation", "global_rsv_size")), { uuid });
      for (const type of BLOCK_GROUP_TYPES) {
        const adir = join(dir, "allocation", type);
        reserved.add(uint(join(adir, "bytes_reserved")), { block_group_type: type, uuid });
        for (const mode of listDir(adir).sort()) {
          // Profile directories (single, raid1, dup...) sit beside plain attribute files.
          if (readAttr(join(adir, mode, "total_bytes")) === null) continue;
          const labels = { block_group_type: type, mode, uuid };
          used.add(uint(join(adir, mode, "used_bytes")), labels);
          size.add(uint(join(adir, mode, "total_bytes")), labels);
          ratio.add(allocationRatio(mode, devices.length), labels);
        }
      }
      for (const device of devices) devSize.add(SECTOR_SIZE * uint(join(dir, "devices", device, "size")), { device, uuid });
    }
  },
});
