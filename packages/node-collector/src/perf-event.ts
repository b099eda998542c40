/**
 * perf_event_open(2) through bun:ffi and libc's syscall(): counters opened once for all processes on one CPU
 * (pid -1) and read with their enabled and running times, as node_exporter's perf library does.
 */
import { closeSync, readSync } from "node:fs";
import { libcFunctions } from "@agent/os";
import { FFIType, read, type Pointer } from "bun:ffi";

const SYS_PERF_EVENT_OPEN = process.arch === "arm64" ? 241n : 298n;
const PERF_FORMAT_TOTAL_TIME_ENABLED = 1n;
const PERF_FORMAT_TOTAL_TIME_RUNNING = 2n;
/** PERF_ATTR_SIZE_VER5; the kernel accepts any size it knows. */
const ATTR_SIZE = 112;

export const PERF_TYPE = { HARDWARE: 0, SOFTWARE: 1, TRACEPOINT: 2, HW_CACHE: 3 } as const;

interface Libc {
  open(attr: Uint8Array, cpu: number): number;
  errno(): number;
}

let libc: Libc | null | undefined;

function load(): Libc | null {
  if (libc !== undefined) return libc;
  const s = libcFunctions({
    syscall: { args: [FFIType.i64, FFIType.ptr, FFIType.i64, FFIType.i64, FFIType.i64, FFIType.i64], returns: FFIType.i64 },
    __errno_location: { args: [], returns: FFIType.ptr },
  });
  libc = s && {
    open: (attr, cpu) => Number(s.syscall(SYS_PERF_EVENT_OPEN, attr, -1n, BigInt(cpu), -1n, 0n)),
    errno: () => {
      const p = s.__errno_location() as Pointer | null;
      return p === null ? -1 : read.i32(p, 0);
    },
  };
  return libc;
}

/** A perf_event_open that failed, with its errno (EACCES/EPERM: forbidden; ENOENT/EOPNOTSUPP: no such counter). */
export class PerfError extends Error {
  constructor(readonly errno: number) {
    super(`perf_event_open failed (errno ${errno})`);
  }
}

/** One open counter; its value accumulates from the moment it was opened. */
export class PerfCounter {
  private readonly buf = new Uint8Array(24);

  private constructor(private readonly fd: number) {}

  /** Opens counter `config` of `type` for every process on `cpu`; throws PerfError when the kernel refuses. */
  static open(type: number, config: bigint, cpu: number): PerfCounter {
    const c = load();
    if (!c) throw new Error("perf_event_open needs glibc");
    const attr = new Uint8Array(ATTR_SIZE);
    const v = new DataView(attr.buffer);
    v.setUint32(0, type, true);
    v.setUint32(4, ATTR_SIZE, true);
    v.setBigUint64(8, config, true);
    v.setBigUint64(32, PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING, true); // read_format
    const fd = c.open(attr, cpu);
    if (fd < 0) throw new PerfError(c.errno());
    return new PerfCounter(fd);
  }

  /** The count so far. */
  value(): number {
    readSync(this.fd, this.buf, 0, 24, null);
    return Number(new DataView(this.buf.buffer).getBigUint64(0, true));
  }

  close(): void {
    closeSync(this.fd);
  }
}
