/**
 * The btrfs ioctls on a real filesystem: two loop devices in raid1, mounted for the test. Needs root, loop
 * devices and mkfs.btrfs (btrfs-progs); skipped where any is missing. The collector's output for this
 * filesystem is compared with the real node_exporter's when it is installed.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, MetricSet, parseText } from "@agent/core";
import { readBtrfsDevices } from "./btrfs-ioctl.ts";
import { btrfs } from "./collectors/btrfs.ts";

function run(cmd: string[]): { ok: boolean; out: string } {
  const r = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  return { ok: r.exitCode === 0, out: (r.stdout.toString() + r.stderr.toString()).trim() };
}

const possible = process.getuid?.() === 0 && Bun.which("mkfs.btrfs") !== null && Bun.which("losetup") !== null;

describe.skipIf(!possible)("btrfs ioctls on a real filesystem", () => {
  let dir = "";
  let mnt = "";
  const loops: string[] = [];
  let mounted = false;
  let fsUuid = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "btrfs-"));
    mnt = join(dir, "mnt");
    mkdirSync(mnt);
    for (const name of ["a.img", "b.img"]) {
      const img = join(dir, name);
      writeFileSync(img, "");
      run(["truncate", "-s", "300M", img]);
      const l = run(["losetup", "-f", "--show", img]);
      if (!l.ok) throw new Error(`losetup: ${l.out}`);
      loops.push(l.out);
    }
    const mk = run(["mkfs.btrfs", "-q", "-L", "agenttest", "-d", "raid1", "-m", "raid1", ...loops]);
    if (!mk.ok) throw new Error(`mkfs.btrfs: ${mk.out}`);
    const m = run(["mount", loops[0]!, mnt]);
    if (!m.ok) throw new Error(`mount: ${m.out}`);
    mounted = true;
    writeFileSync(join(mnt, "data"), Buffer.alloc(8 << 20, 7));
    run(["sync"]);
    fsUuid = run(["blkid", "-s", "UUID", "-o", "value", loops[0]!]).out;
  });

  afterAll(() => {
    if (mounted) run(["umount", mnt]);
    for (const l of loops) run(["losetup", "-d", l]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test("reads both devices, their sizes and error counters", () => {
    const fs = readBtrfsDevices(mnt);
    expect(fs.fsid).toBe(fsUuid.replaceAll("-", ""));
    expect(fs.devices.map((d) => d.path).sort()).toEqual([...loops].sort());
    for (const d of fs.devices) {
      expect(d.totalBytes).toBe(300 * 2 ** 20);
      expect(d.bytesUsed).toBeGreaterThan(0);
      expect(d.bytesUsed).toBeLessThan(d.totalBytes);
      expect(d.errors).toEqual([0, 0, 0, 0, 0]);
      expect(d.uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });

  test("a path that is not btrfs is an error", () => {
    expect(() => readBtrfsDevices(dir)).toThrow(/BTRFS_IOC_FS_INFO/);
  });

  test.skipIf(Bun.which("prometheus-node-exporter") === null)("the collector agrees with node_exporter on this filesystem", async () => {
    const out = new MetricSet();
    const paths = { procfs: "/proc", sysfs: "/sys", rootfs: "/", udevData: "/run/udev/data" };
    await btrfs.collect(out, { paths, config: {}, log: createLogger({ write: () => {} }), signal: new AbortController().signal });
    const probe = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response() });
    const port = probe.port;
    probe.stop(true);
    const ne = Bun.spawn(["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`, "--collector.disable-defaults", "--collector.btrfs"], { stdout: "ignore", stderr: "ignore" });
    let text = "";
    try {
      for (let i = 0; i < 100 && text === ""; i++) {
        try {
          text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        } catch {
          await Bun.sleep(50);
        }
      }
    } finally {
      ne.kill();
    }
    /** This filesystem's series only: the host may have btrfs filesystems of its own. */
    const ours = (t: string) =>
      parseText(t)
        .filter((f) => f.name.startsWith("node_btrfs_"))
        .flatMap((f) => f.samples.filter((s) => s.labels.uuid === fsUuid).map((s) => `${f.name} ${f.type} ${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`))
        .sort();
    const theirs = ours(text);
    expect(theirs.some((l) => l.startsWith("node_btrfs_device_errors_total counter"))).toBe(true);
    expect(ours(out.render())).toEqual(theirs);
  });
});
