/**
 * Test support: a real file whose every read fails with a chosen errno, as some sysfs attributes answer
 * (ENODATA from a thermal sensor without a reading, EAGAIN from a broken hwmon driver) where this host has none
 * that does. A small python3 FUSE server mounts itself over an existing regular file and answers the kernel's
 * requests: the file opens and stats as a regular file, and each read gets the errno. Needs root, /dev/fuse and
 * python3 (`canFailReads`); a container without CAP_SYS_ADMIN may still refuse the mount (then it throws).
 */
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { firstLine } from "@agent/os/testing/first-line";
import { unmount } from "./unmount.ts";

const SERVER = `
import ctypes, os, struct, sys
path, errno = sys.argv[1], int(sys.argv[2])
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = ("fd=%d,rootmode=100000,user_id=0,group_id=0" % fd).encode()
if libc.mount(b"errno-file", path.encode(), b"fuse", 0, opts) != 0:
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
print("mounted", flush=True)
# fuse_attr of the one node: a 4 KiB read-only regular file
attr = struct.pack("<QQQQQQIIIIIIIIII", 1, 4096, 8, 0, 0, 0, 0, 0, 0, 0o100444, 1, 0, 0, 0, 4096, 0)
def reply(unique, error=0, body=b""):
    os.write(fd, struct.pack("<IiQ", 16 + len(body), -error, unique) + body)
while True:
    try:
        req = os.read(fd, 1 << 20)
    except OSError:
        break  # unmounted
    length, opcode, unique = struct.unpack_from("<IIQ", req)
    if opcode == 26:  # INIT: protocol 7.26, no optional features
        reply(unique, 0, struct.pack("<IIIIHHIIHHII", 7, 26, 0, 0, 0, 0, 4096, 1, 32, 0, 0, 0) + bytes(24))  # fuse_init_out: 64 bytes
    elif opcode == 3:  # GETATTR
        reply(unique, 0, struct.pack("<QII", 0, 0, 0) + attr)
    elif opcode == 14:  # OPEN: direct I/O, so that every read comes here
        reply(unique, 0, struct.pack("<QII", 0, 1, 0))
    elif opcode == 15:  # READ
        reply(unique, errno)
    elif opcode == 17:  # STATFS
        reply(unique, 0, struct.pack("<QQQQQIIII", 0, 0, 0, 0, 0, 4096, 255, 4096, 0) + bytes(24))
    elif opcode in (18, 25):  # RELEASE, FLUSH
        reply(unique)
    elif opcode in (2, 36, 42):  # FORGET, INTERRUPT, BATCH_FORGET: no answer
        pass
    elif opcode == 38:  # DESTROY
        reply(unique)
        break
    else:
        reply(unique, 38)  # ENOSYS
`;

export function canFailReads(): boolean {
  return process.getuid?.() === 0 && existsSync("/dev/fuse") && Bun.which("python3") !== null;
}

export interface ErrnoFile {
  /** Ends the server and unmounts, leaving the file as it was; safe to call twice. */
  release(): Promise<void>;
}

/** Makes every read of `path` (an existing regular file) fail with `errno`, e.g. "ENODATA", until released. */
export async function failReads(path: string, errno: keyof typeof constants.errno): Promise<ErrnoFile> {
  const server = Bun.spawn(["python3", "-c", SERVER, path, String(constants.errno[errno])], { stdout: "pipe", stderr: "pipe" });
  // The server's first line, or nothing when it exited without mounting.
  const said = await firstLine(server.stdout);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    unmount(path, 10);
    server.kill("SIGKILL");
    await server.exited;
  };
  if (!said.startsWith("mounted")) {
    const err = await new Response(server.stderr).text();
    await release();
    throw new Error(`could not mount a FUSE file over ${path}: ${err.trim() || said}`);
  }
  return { release };
}

/** Runs `fn` while every read of `path` fails with `errno`, then lets the file be read again. */
export async function whileReadsFail<T>(path: string, errno: keyof typeof constants.errno, fn: () => Promise<T>): Promise<T> {
  const file = await failReads(path, errno);
  try {
    return await fn();
  } finally {
    await file.release();
  }
}
