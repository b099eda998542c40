/**
 * The SIOCETHTOOL ioctl (through bun:ffi and libc) on an AF_INET datagram socket, as node_exporter's ethtool
 * library issues it: ETHTOOL_GSET for link modes, ETHTOOL_GDRVINFO for driver information, ETHTOOL_GSTRINGS
 * and ETHTOOL_GSTATS for the driver's statistics (include/uapi/linux/ethtool.h).
 */
import { libcFunctions } from "@agent/os";
import { FFIType, ptr, read, type Pointer } from "bun:ffi";

const SIOCETHTOOL = 0x8946n;
const ETHTOOL_GSET = 0x1;
const ETHTOOL_GDRVINFO = 0x3;
const ETHTOOL_GSTRINGS = 0x1b;
const ETHTOOL_GSTATS = 0x1d;
const ETH_SS_STATS = 1;
const ETH_GSTRING_LEN = 32;
/** The library's bound on a driver's statistics. */
const MAX_GSTRINGS = 32768;
export const EOPNOTSUPP = 95;

/** An ioctl that failed, with its errno. */
export class EthtoolError extends Error {
  constructor(
    readonly what: string,
    readonly errno: number,
  ) {
    super(`${what} failed (errno ${errno})`);
  }
}

export interface LinkSettings {
  supported: number;
  advertising: number;
  autoneg: number;
}

export interface DriverInfo {
  driver: string;
  version: string;
  firmwareVersion: string;
  busInfo: string;
  expansionRomVersion: string;
  nStats: number;
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  ioctl(fd: number, request: bigint, arg: Uint8Array): number;
  close(fd: number): number;
  errno(): number;
}

let libc: Libc | null | undefined;

function load(): Libc | null {
  if (libc !== undefined) return libc;
  const s = libcFunctions({
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    ioctl: { args: [FFIType.i32, FFIType.u64, FFIType.ptr], returns: FFIType.i32 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  libc = s && {
    socket: (d, t, p) => s.socket(d, t, p),
    ioctl: (fd, r, a) => s.ioctl(fd, r, a),
    close: (fd) => s.close(fd),
    errno: () => {
      const p = s.__errno_location() as Pointer | null;
      return p === null ? -1 : read.i32(p, 0);
    },
  };
  return libc;
}

function cstr(buf: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && buf[end] !== 0) end++;
  return Buffer.from(buf.subarray(off, end)).toString("latin1");
}

/** One socket for the ioctls on one device; close() it when done. */
export class Ethtool {
  private readonly c: Libc;
  private readonly fd: number;

  constructor() {
    const c = load();
    if (!c) throw new Error("ethtool ioctls need glibc");
    const fd = c.socket(2 /* AF_INET */, 2 /* SOCK_DGRAM */ | 0o2000000 /* SOCK_CLOEXEC */, 0);
    if (fd < 0) throw new EthtoolError("socket", c.errno());
    this.c = c;
    this.fd = fd;
  }

  close(): void {
    this.c.close(this.fd);
  }

  private call(device: string, data: Uint8Array, what: string): void {
    // struct ifreq: the name in 16 bytes, then ifr_data, a pointer to the ethtool command
    const ifreq = new Uint8Array(40);
    ifreq.set(Buffer.from(device, "latin1").subarray(0, 15), 0);
    new DataView(ifreq.buffer).setBigUint64(16, BigInt(ptr(data)), true);
    if (this.c.ioctl(this.fd, SIOCETHTOOL, ifreq) !== 0) throw new EthtoolError(`${what} on ${device}`, this.c.errno());
  }

  linkSettings(device: string): LinkSettings {
    const cmd = new Uint8Array(44); // struct ethtool_cmd
    const v = new DataView(cmd.buffer);
    v.setUint32(0, ETHTOOL_GSET, true);
    this.call(device, cmd, "ETHTOOL_GSET");
    return { supported: v.getUint32(4, true), advertising: v.getUint32(8, true), autoneg: cmd[18]! };
  }

  driverInfo(device: string): DriverInfo {
    const info = new Uint8Array(196); // struct ethtool_drvinfo
    const v = new DataView(info.buffer);
    v.setUint32(0, ETHTOOL_GDRVINFO, true);
    this.call(device, info, "ETHTOOL_GDRVINFO");
    return {
      driver: cstr(info, 4, 32),
      version: cstr(info, 36, 32),
      firmwareVersion: cstr(info, 68, 32),
      busInfo: cstr(info, 100, 32),
      expansionRomVersion: cstr(info, 132, 32),
      nStats: v.getUint32(180, true),
    };
  }

  /** The driver's statistics by name; a name given twice keeps its last value, as the library's map does. */
  stats(device: string): Map<string, number> {
    const n = this.driverInfo(device).nStats;
    if (n > MAX_GSTRINGS) throw new Error(`ethtool currently doesn't support more than ${MAX_GSTRINGS} entries, received ${n}`);
    const strings = new Uint8Array(12 + n * ETH_GSTRING_LEN); // struct ethtool_gstrings
    const sv = new DataView(strings.buffer);
    sv.setUint32(0, ETHTOOL_GSTRINGS, true);
    sv.setUint32(4, ETH_SS_STATS, true);
    sv.setUint32(8, n, true);
    this.call(device, strings, "ETHTOOL_GSTRINGS");
    const values = new Uint8Array(8 + n * 8); // struct ethtool_stats
    const vv = new DataView(values.buffer);
    vv.setUint32(0, ETHTOOL_GSTATS, true);
    vv.setUint32(4, n, true);
    this.call(device, values, "ETHTOOL_GSTATS");
    const out = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const name = cstr(strings, 12 + i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
      if (name !== "") out.set(name, Number(vv.getBigUint64(8 + i * 8, true)));
    }
    return out;
  }
}
