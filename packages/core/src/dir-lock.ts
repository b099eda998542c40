/**
 * One agent per data directory: an exclusive flock(2) on `<dir>/agent.lock`, held for as long as the role runs.
 * The kernel drops the lock when the process dies, however it dies, so a `kill -9` leaves nothing to clean up;
 * the file keeps the holder's pid only so that the refusal can name it.
 */
import { closeSync, ftruncateSync, mkdirSync, openSync, readFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import { FFIType, read, type Pointer } from "bun:ffi";
import { libcFunctions } from "@agent/os";

const LOCK_EX = 2;
const LOCK_NB = 4;
const EWOULDBLOCK = 11;

export const LOCK_FILE = "agent.lock";

/** Another process holds the directory. */
export class DirInUseError extends Error {}

export interface DirLock {
  readonly file: string;
  /** Lets the directory go; safe to call twice. */
  release(): void;
}

let flock: ((fd: number, op: number) => number) | null | undefined;
let errnoAt: (() => Pointer | null) | undefined;

function loadFlock(): ((fd: number, op: number) => number) | null {
  if (flock === undefined) {
    const s = libcFunctions({
      flock: { args: [FFIType.i32, FFIType.i32], returns: FFIType.i32 },
      __errno_location: { args: [], returns: FFIType.ptr },
    });
    flock = s && ((fd, op) => s.flock(fd, op));
    errnoAt = s ? () => s.__errno_location() as Pointer | null : undefined;
  }
  return flock;
}

function lastErrno(): number {
  const at = errnoAt?.();
  return at ? read.i32(at, 0) : -1;
}

/** The pid the holder wrote, if the file has one. */
function holderPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, "latin1").trim(), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes `dir` (created if missing) for this process, or throws naming the directory and, where the lock file
 * says, the pid of the process that holds it. `what` says whose directory it is, e.g. "push data directory".
 */
export function lockDir(dir: string, what: string): DirLock {
  const file = join(dir, LOCK_FILE);
  let fd: number;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(file, "a+");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new Error(`cannot use the ${what} ${dir}: ${err.code ?? err.message} (${err.syscall ?? "open"} ${err.path ?? file}); it must be a writable directory`);
  }
  const lock = loadFlock();
  // Without glibc (musl, macOS) there is no flock to call; the directory then goes unguarded, as before.
  if (lock && lock(fd, LOCK_EX | LOCK_NB) !== 0) {
    const errno = lastErrno();
    closeSync(fd);
    if (errno !== EWOULDBLOCK) throw new Error(`cannot lock the ${what} ${dir} (flock on ${file} failed, errno ${errno})`);
    const pid = holderPid(file);
    throw new DirInUseError(
      `the ${what} ${dir} is in use by another agent${pid ? ` (pid ${pid})` : ""}; ` +
        "each agent needs its own --storage.path: stop the other one or give this one another path",
    );
  }
  try {
    ftruncateSync(fd, 0);
    writeSync(fd, `${process.pid}\n`);
  } catch {
    // The pid is only there to name the holder in a refusal; the lock itself is what counts.
  }
  let open = true;
  return {
    file,
    release() {
      if (!open) return;
      open = false;
      closeSync(fd);
    },
  };
}
