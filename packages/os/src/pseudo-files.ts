/**
 * Reading procfs and sysfs on the hot path of a scrape: the node role's collectors and every role's own
 * process_* metrics.
 */
import { FFIType } from "bun:ffi";
import { closeSync, fstatSync, openSync, readSync, statfsSync } from "node:fs";
import { libcFunctions } from "./libc.ts";
import { assertRegularFile, READ_NONBLOCK } from "./regular-file.ts";

/**
 * One reusable buffer for every read: procfs and sysfs files report size 0, so readFileSync probes and
 * grows a buffer per call, which costs more than reading into this one. Reads are synchronous on the one
 * JS thread, so sharing it is safe.
 */
let buffer = Buffer.allocUnsafe(64 * 1024);

/**
 * Reads `fd` to its end into `buffer`, from offset 0 when `fromStart` (a held descriptor), else onwards;
 * returns the length. Each read asks for at most `chunk` bytes: for a /proc/sys file the kernel allocates
 * and zeroes as much as a read asks for, so a small file read with a large buffer pays for the whole buffer.
 */
function readAll(fd: number, fromStart: boolean, chunk = buffer.length): number {
  let n = 0;
  for (;;) {
    if (n === buffer.length) {
      const bigger = Buffer.allocUnsafe(buffer.length * 2);
      buffer.copy(bigger, 0, 0, n);
      buffer = bigger;
    }
    const r = readSync(fd, buffer, n, Math.min(chunk, buffer.length - n), fromStart ? n : null);
    if (r <= 0) break;
    n += r;
  }
  return n;
}

/** What a held file is read with next: its last length and a page more, so one read and the EOF one. */
function chunkFor(length: number): number {
  return (Math.ceil((length + 1) / 4096) + 1) * 4096;
}

/**
 * Descriptors of procfs and sysfs files kept open between scrapes and read again from offset 0, as procps
 * does with /proc/stat: the kernel regenerates a pseudo file's content on every read from its start, and
 * the open and close cost more than the read. Regular files (os-release, textfiles, fixture trees) are opened afresh
 * each time, since a held descriptor would go on reading a file that was replaced. A held descriptor that
 * fails (its device was removed: ENODEV) is closed and its path opened again.
 */
const held = new Map<string, { fd: number; chunk: number }>();
const HELD_LIMIT = 256;
/** Paths that are not on a pseudo filesystem, or whose held descriptor failed once. */
const notHeld = new Set<string>();
const NOT_HELD_LIMIT = 4096;
const PSEUDO_FS_TYPES = new Set([0x9fa0 /* PROC_SUPER_MAGIC */, 0x62656572 /* SYSFS_MAGIC */]);

function mayHold(path: string): boolean {
  if (held.size >= HELD_LIMIT || notHeld.has(path)) return false;
  if (PSEUDO_FS_TYPES.has(Number(statfsSync(path).type))) return true;
  if (notHeld.size < NOT_HELD_LIMIT) notHeld.add(path);
  return false;
}

function text(length: number): string {
  return buffer.toString("latin1", 0, length);
}

/**
 * Errors with which an attribute answers for the state of its device, not for the device being gone: the
 * speed of a link that is down (EINVAL), the duplex of loopback (EINVAL, on every read). The descriptor stays
 * held through them, so such an attribute costs one failed read per scrape rather than an open, a failed
 * read and a close; any other error (ENODEV: the device was removed) closes it.
 */
const STATE_ERRORS = new Set(["EINVAL", "EOPNOTSUPP", "ENODATA"]);

function isStateError(e: unknown): boolean {
  return STATE_ERRORS.has((e as NodeJS.ErrnoException | undefined)?.code ?? "");
}

/**
 * A procfs or sysfs file's whole content as latin1 text (what the kernel writes is ASCII). Throws as
 * openSync and readSync do (ENOENT for a missing file), and for anything but a regular file (a FIFO or a
 * link to /dev/zero where a fixture tree or --path.rootfs has a file), which is never read. Descriptors are
 * checked once, when opened. `keepOpen: false` for a file read once and gone.
 */
export function readPseudoFile(path: string, keepOpen = true): string {
  const kept = held.get(path);
  if (kept !== undefined) {
    try {
      const length = readAll(kept.fd, true, kept.chunk);
      kept.chunk = chunkFor(length);
      return text(length);
    } catch (e) {
      if (isStateError(e)) throw e;
      held.delete(path);
      if (notHeld.size < NOT_HELD_LIMIT) notHeld.add(path);
      closeSync(kept.fd);
    }
  }
  const fd = openSync(path, READ_NONBLOCK);
  let holding = false;
  try {
    assertRegularFile(path, fstatSync(fd));
    let length: number;
    try {
      length = readAll(fd, false);
    } catch (e) {
      holding = keepOpen && isStateError(e) && mayHold(path);
      if (holding) held.set(path, { fd, chunk: chunkFor(0) });
      throw e;
    }
    holding = keepOpen && mayHold(path);
    if (holding) held.set(path, { fd, chunk: chunkFor(length) });
    return text(length);
  } finally {
    if (!holding) closeSync(fd);
  }
}

let poll: ((fds: Int32Array, nfds: number, timeoutMs: number) => number) | null | undefined;
/** One struct pollfd: int fd, short events, short revents. */
const pollfd = new Int32Array(2);
const pollEvents = new Int16Array(pollfd.buffer, 4, 2);

/**
 * poll(2) on the descriptor held for `path`, without waiting: the revents bits, or null when nothing is held
 * for it (not read yet, a regular file, no libc). A mount table (/proc/<pid>/mountinfo) raises POLLPRI and
 * POLLERR once after each change to its namespace's mounts, so a caller may keep what it parsed until then.
 */
export function pollHeldFile(path: string, events: number): number | null {
  const kept = held.get(path);
  if (kept === undefined) return null;
  poll ??= libcFunctions({ poll: { args: [FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i32 } })?.poll ?? null;
  if (poll === null) return null;
  pollfd[0] = kept.fd;
  pollEvents[0] = events;
  pollEvents[1] = 0;
  return poll(pollfd, 1, 0) < 0 ? null : pollEvents[1]!;
}
