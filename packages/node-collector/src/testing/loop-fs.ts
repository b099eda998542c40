/**
 * Test support: a real filesystem on loop devices, made and mounted for a test and removed after it.
 * Needs root, losetup and the filesystem's mkfs; `canLoopMount` says whether this machine has them.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unmount } from "./unmount.ts";

function run(cmd: string[]): { ok: boolean; out: string } {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { ok: r.exitCode === 0, out: (r.stdout.toString() + r.stderr.toString()).trim() };
}

export function canLoopMount(mkfs: string): boolean {
  return process.getuid?.() === 0 && Bun.which(mkfs) !== null && Bun.which("losetup") !== null && Bun.which("blkid") !== null;
}

export interface LoopFs {
  mountpoint: string;
  /** /dev/loopN, in the order given to mkfs. */
  devices: string[];
  /** The filesystem UUID as blkid reports it. */
  uuid: string;
  /** Unmounts, detaches the loop devices and removes the images; safe to call twice. */
  remove(): void;
}

/** Makes `images` sparse images of `sizeMiB`, runs `mkfs` over their loop devices, mounts the first. */
export function mountLoopFs(mkfs: string[], images: number, sizeMiB: number): LoopFs {
  const dir = mkdtempSync(join(tmpdir(), "loopfs-"));
  const mountpoint = join(dir, "mnt");
  mkdirSync(mountpoint);
  const devices: string[] = [];
  let mounted = false;
  const remove = () => {
    // Another program statting every mount (a node_exporter of a test running beside this one) can hold it busy
    // for a moment.
    if (mounted) unmount(mountpoint, 20);
    mounted = false;
    for (const d of devices.splice(0)) run(["losetup", "-d", d]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < images; i++) {
      const img = join(dir, `${i}.img`);
      writeFileSync(img, "");
      run(["truncate", "-s", `${sizeMiB}M`, img]);
      const l = run(["losetup", "-f", "--show", img]);
      if (!l.ok) throw new Error(`losetup: ${l.out}`);
      devices.push(l.out);
    }
    const mk = run([...mkfs, ...devices]);
    if (!mk.ok) throw new Error(`${mkfs[0]}: ${mk.out}`);
    const m = run(["mount", devices[0]!, mountpoint]);
    if (!m.ok) throw new Error(`mount: ${m.out}`);
    mounted = true;
    const uuid = run(["blkid", "-s", "UUID", "-o", "value", devices[0]!]).out;
    return { mountpoint, devices: [...devices], uuid, remove };
  } catch (e) {
    remove();
    throw e;
  }
}
