/** The btrfs ioctls on a real filesystem: two loop devices in raid1. Skipped without root, loop devices or mkfs.btrfs. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readBtrfsDevices } from "./btrfs-ioctl.ts";
import { canLoopMount, mountLoopFs, type LoopFs } from "./testing/loop-fs.ts";

describe.skipIf(!canLoopMount("mkfs.btrfs"))("btrfs ioctls on a real filesystem", () => {
  let fs: LoopFs;

  beforeAll(() => {
    fs = mountLoopFs(["mkfs.btrfs", "-q", "-L", "agenttest", "-d", "raid1", "-m", "raid1"], 2, 300);
    writeFileSync(join(fs.mountpoint, "data"), Buffer.alloc(8 << 20, 7));
    Bun.spawnSync(["sync"]);
  });

  afterAll(() => fs?.remove());

  test("reads both devices, their sizes and error counters", () => {
    const got = readBtrfsDevices(fs.mountpoint);
    expect(got.fsid).toBe(fs.uuid.replaceAll("-", ""));
    expect(got.devices.map((d) => d.path).sort()).toEqual([...fs.devices].sort());
    for (const d of got.devices) {
      expect(d.totalBytes).toBe(300 * 2 ** 20);
      expect(d.bytesUsed).toBeGreaterThan(0);
      expect(d.bytesUsed).toBeLessThan(d.totalBytes);
      expect(d.errors).toEqual([0, 0, 0, 0, 0]);
      expect(d.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  test("a path that is not btrfs is an error", () => {
    expect(() => readBtrfsDevices(join(fs.mountpoint, ".."))).toThrow(/BTRFS_IOC_FS_INFO/);
  });
});
