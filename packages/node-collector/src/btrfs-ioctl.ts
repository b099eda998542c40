/**
 * Per-device statistics of a mounted btrfs filesystem through the kernel's btrfs ioctls, as node_exporter reads
 * them: BTRFS_IOC_FS_INFO for the filesystem id and device count, BTRFS_IOC_DEV_INFO per device id for its
 * path, uuid and sizes, BTRFS_IOC_GET_DEV_STATS for its error counters (include/uapi/linux/btrfs.h).
 */
import { closeSync, openSync } from "node:fs";
import { libcFunctions } from "@agent/os";
import { FFIType, read, type Pointer } from "bun:ffi";

/** _IOR(0x94, 31, struct btrfs_ioctl_fs_info_args), 1024 bytes. */
const BTRFS_IOC_FS_INFO = 0x8400941fn;
/** _IOWR(0x94, 30, struct btrfs_ioctl_dev_info_args), 4096 bytes. */
const BTRFS_IOC_DEV_INFO = 0xd000941en;
/** _IOWR(0x94, 52, struct btrfs_ioctl_get_dev_stats), 1032 bytes. */
const BTRFS_IOC_GET_DEV_STATS = 0xc4089434n;
/** Offset of the device path in btrfs_ioctl_dev_info_args. */
const DEV_INFO_PATH = 3072;
/** write, read, flush, corruption, generation: BTRFS_DEV_STAT_* in kernel order. */
export const DEV_STAT_TYPES = ["write", "read", "flush", "corruption", "generation"] as const;
const ENODEV = 19;

export interface BtrfsDevice {
  path: string;
  uuid: string;
  bytesUsed: number;
  totalBytes: number;
  /** Counters in DEV_STAT_TYPES order. */
  errors: number[];
}

export interface BtrfsFilesystem {
  /** The filesystem id as 32 hex digits, without dashes. */
  fsid: string;
  devices: BtrfsDevice[];
}

interface Libc {
  ioctl(fd: number, request: bigint, arg: Uint8Array): number;
  __errno_location(): Pointer | null;
}

let libc: Libc | null | undefined;

function loadLibc(): Libc | null {
  if (libc === undefined) {
    // Without glibc there are no ioctl statistics; the sysfs ones still work.
    const s = libcFunctions({
      ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
      __errno_location: { args: [], returns: FFIType.ptr },
    });
    libc = s && { ioctl: (fd, request, arg) => s.ioctl(fd, request, arg), __errno_location: () => s.__errno_location() as Pointer | null };
  }
  return libc;
}

function hex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** 16 bytes as a canonical 8-4-4-4-12 UUID. */
function uuidString(bytes: Uint8Array): string {
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function u64(view: DataView, offset: number): number {
  return Number(view.getBigUint64(offset, true));
}

/** Reads the devices of the btrfs filesystem mounted at `mountpoint`; throws when it cannot. */
export function readBtrfsDevices(mountpoint: string): BtrfsFilesystem {
  const c = loadLibc();
  if (!c) throw new Error("btrfs ioctls need glibc");
  const call = (fd: number, req: bigint, buf: Uint8Array): number => {
    if (c.ioctl(fd, req, buf) === 0) return 0;
    const errno = c.__errno_location();
    return errno === null ? -1 : read.i32(errno, 0);
  };
  const fd = openSync(mountpoint, "r");
  try {
    const info = new Uint8Array(1024);
    const infoErr = call(fd, BTRFS_IOC_FS_INFO, info);
    if (infoErr !== 0) throw new Error(`BTRFS_IOC_FS_INFO on ${mountpoint} failed (errno ${infoErr})`);
    const iv = new DataView(info.buffer);
    const maxId = u64(iv, 0);
    const numDevices = u64(iv, 8);
    const fsid = hex(info.subarray(16, 32));
    const devices: BtrfsDevice[] = [];
    const dev = new Uint8Array(4096);
    const dv = new DataView(dev.buffer);
    const stats = new Uint8Array(1032);
    const sv = new DataView(stats.buffer);
    // Device ids need not start at 0 nor be contiguous; absent ones answer ENODEV.
    for (let id = 0; id <= maxId && devices.length < numDevices; id++) {
      dev.fill(0);
      dv.setBigUint64(0, BigInt(id), true);
      const devErr = call(fd, BTRFS_IOC_DEV_INFO, dev);
      if (devErr === ENODEV) continue;
      if (devErr !== 0) throw new Error(`BTRFS_IOC_DEV_INFO ${id} on ${mountpoint} failed (errno ${devErr})`);
      stats.fill(0);
      sv.setBigUint64(0, BigInt(id), true);
      sv.setBigUint64(8, BigInt(DEV_STAT_TYPES.length), true);
      const statErr = call(fd, BTRFS_IOC_GET_DEV_STATS, stats);
      if (statErr !== 0) throw new Error(`BTRFS_IOC_GET_DEV_STATS ${id} on ${mountpoint} failed (errno ${statErr})`);
      const pathBytes = dev.subarray(DEV_INFO_PATH);
      const end = pathBytes.indexOf(0);
      devices.push({
        path: new TextDecoder().decode(pathBytes.subarray(0, end < 0 ? pathBytes.length : end)),
        uuid: uuidString(dev.subarray(8, 24)),
        bytesUsed: u64(dv, 24),
        totalBytes: u64(dv, 32),
        errors: DEV_STAT_TYPES.map((_, i) => u64(sv, 24 + 8 * i)),
      });
    }
    return { fsid, devices };
  } finally {
    closeSync(fd);
  }
}
