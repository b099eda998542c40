/**
 * Btrfs allocation and device statistics (node_exporter's btrfs collector): allocation from /sys/fs/btrfs,
 * and per-device sizes and error counters from the btrfs ioctls on a mount point of each filesystem. A
 * filesystem whose mount point cannot be opened falls back to the device sizes sysfs gives, as node_exporter does.
 */
import { join } from "node:path";
import type { Logger } from "@agent/core";
import { defineCollector, type NodePaths } from "../collector.ts";
import { DEV_STAT_TYPES, readBtrfsDevices, type BtrfsDevice } from "../btrfs-ioctl.ts";
import { listDir, listSubdirs, readAttr, rootfsPath } from "../read.ts";
import { utf8Label } from "../utf8.ts";
import { readMounts } from "./filesystem.ts";

/** Linux counts block device sizes in 512-byte sectors whatever the hardware block size. */
const SECTOR_SIZE = 512;
const BLOCK_GROUP_TYPES = ["data", "metadata", "system"] as const;

function uint(path: string): number {
  return toUint(readAttr(path));
}

function toUint(text: string | null): number {
  const n = Number(text ?? "0");
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

/** Devices per filesystem id (hex, no dashes), read through one mount point of each mounted btrfs. */
function ioctlDevices(paths: NodePaths, log: Logger): Map<string, BtrfsDevice[]> {
  const out = new Map<string, BtrfsDevice[]>();
  const seenDevices = new Set<string>();
  for (const m of readMounts(paths) ?? []) {
    if (m.fstype !== "btrfs" || seenDevices.has(m.device)) continue;
    try {
      const fs = readBtrfsDevices(rootfsPath(paths, m.path));
      seenDevices.add(m.device);
      if (!out.has(fs.fsid)) out.set(fs.fsid, fs.devices);
    } catch (e) {
      // Another mount point of the same filesystem may work; otherwise sysfs sizes are reported.
      log.debug("cannot read btrfs device stats", { mountpoint: m.mountpoint, err: (e as Error).message });
    }
  }
  return out;
}

export const btrfs = defineCollector({
  name: "btrfs",
  defaultEnabled: true,
  create: ({ paths, log }) => ({
    collect(out) {
      const root = join(paths.sysfs, "fs", "btrfs");
      const filesystems = listDir(root).filter((n) => n.includes("-")).sort();
      if (filesystems.length === 0) return;
      const byFsid = ioctlDevices(paths, log);
      const info = out.family("node_btrfs_info", "gauge", "Filesystem information");
      const rsv = out.family("node_btrfs_global_rsv_size_bytes", "gauge", "Size of global reserve.");
      const reserved = out.family("node_btrfs_reserved_bytes", "gauge", "Amount of space reserved for a data type");
      const used = out.family("node_btrfs_used_bytes", "gauge", "Amount of used space by a layout/data type");
      const size = out.family("node_btrfs_size_bytes", "gauge", "Amount of space allocated for a layout/data type");
      const ratio = out.family("node_btrfs_allocation_ratio", "gauge", "Data allocation ratio for a layout/data type");
      const devSize = out.family("node_btrfs_device_size_bytes", "gauge", "Size of a device that is part of the filesystem.");
      for (const name of filesystems) {
        const dir = join(root, name);
        const uuid = readAttr(join(dir, "metadata_uuid")) || name;
        const devices = listDir(join(dir, "devices")).sort();
        info.add(1, { label: utf8Label(readAttr(join(dir, "label")) ?? ""), uuid });
        rsv.add(uint(join(dir, "allocation", "global_rsv_size")), { uuid });
        for (const type of BLOCK_GROUP_TYPES) {
          const adir = join(dir, "allocation", type);
          reserved.add(uint(join(adir, "bytes_reserved")), { block_group_type: type, uuid });
          // Profile directories (single, raid1, dup...) sit beside plain attribute files.
          for (const mode of listSubdirs(adir).sort()) {
            const total = readAttr(join(adir, mode, "total_bytes"));
            if (total === null) continue;
            const labels = { block_group_type: type, mode, uuid };
            used.add(uint(join(adir, mode, "used_bytes")), labels);
            size.add(toUint(total), labels);
            ratio.add(allocationRatio(mode, devices.length), labels);
          }
        }
        const ioctl = byFsid.get(uuid.replaceAll("-", ""));
        if (!ioctl) {
          for (const device of devices) devSize.add(SECTOR_SIZE * uint(join(dir, "devices", device, "size")), { device, uuid });
          continue;
        }
        for (const d of ioctl) {
          // /dev/sda -> sda, /rootfs/dev/md1 -> md1: the same names the sysfs fallback reports.
          const labels = { device: d.path.slice(d.path.lastIndexOf("/") + 1), btrfs_dev_uuid: d.uuid, uuid };
          devSize.add(d.totalBytes, labels);
          // Unused rather than used bytes: the number that matters is small when it matters, so stays exact.
          out.family("node_btrfs_device_unused_bytes", "gauge", "Unused bytes unused on a device that is part of the filesystem.").add(d.totalBytes - d.bytesUsed, labels);
          const errors = out.family("node_btrfs_device_errors_total", "counter", "Errors reported for the device");
          DEV_STAT_TYPES.forEach((type, i) => errors.add(d.errors[i]!, { type, ...labels }));
        }
      }
    },
  }),
});
