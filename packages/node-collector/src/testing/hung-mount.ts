/**
 * Test support: a real mount whose server never answers, as an NFS mount does when its server is gone. A
 * FUSE filesystem is mounted on a fresh directory by a small python3 process that holds /dev/fuse and never
 * reads from it, so the kernel's first request (FUSE_INIT) goes unanswered and every access to the mount
 * (readdir, stat, open) waits. Needs root, /dev/fuse and python3; `canHangMount` says whether this machine
 * has them (a container without CAP_SYS_ADMIN may still refuse the mount: then hangMount throws).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { firstLine } from "@agent/os/testing/first-line";
import { unmount } from "./unmount.ts";

const SERVER = `
import ctypes, os, sys, time
fd = os.open("/dev/fuse", os.O_RDWR)
libc = ctypes.CDLL(None, use_errno=True)
opts = ("fd=%d,rootmode=40000,user_id=0,group_id=0" % fd).encode()
if libc.mount(b"hung", sys.argv[1].encode(), b"fuse", 0, opts) != 0:
    sys.exit("mount: " + os.strerror(ctypes.get_errno()))
print("mounted", flush=True)
time.sleep(86400)
`;

export function canHangMount(): boolean {
  return process.getuid?.() === 0 && existsSync("/dev/fuse") && Bun.which("python3") !== null;
}

export interface HungMount {
  mountpoint: string;
  /** Ends the server, which fails every waiting request (ENOTCONN), then unmounts; safe to call twice. */
  release(): Promise<void>;
}

export async function hangMount(): Promise<HungMount> {
  const dir = mkdtempSync(join(tmpdir(), "hung-mount-"));
  const mountpoint = join(dir, "mnt");
  mkdirSync(mountpoint);
  const server = Bun.spawn(["python3", "-c", SERVER, mountpoint], { stdout: "pipe", stderr: "pipe" });
  // The server's first line, or nothing when it exited without mounting.
  const said = await firstLine(server.stdout);
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    server.kill("SIGKILL");
    await server.exited;
    // An agent still blocked in the mount keeps it busy; with the server gone, waiting would not free it
    unmount(mountpoint);
    rmSync(dir, { recursive: true, force: true });
  };
  if (!said.startsWith("mounted")) {
    const err = await new Response(server.stderr).text();
    await release();
    throw new Error(`could not mount a FUSE filesystem: ${err.trim() || said}`);
  }
  return { mountpoint, release };
}
