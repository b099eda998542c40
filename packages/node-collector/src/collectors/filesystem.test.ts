import { describe, expect, test } from "bun:test";
import { MetricSet } from "@agent/core";
import { collectFilesystems, filesystem, readMounts, type StatFs } from "./filesystem.ts";
import { collectText, expectGolden, fixturePaths } from "../testing/golden.ts";

const FIXED: StatFs = { bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 100, ffree: 40 };
const excludes = {
  mountPointsExclude: filesystem.flags!.mountPointsExclude.default,
  fsTypesExclude: filesystem.flags!.fsTypesExclude.default,
};

describe("filesystem collector", () => {
  test("parses mountinfo and applies node_exporter's default excludes (golden, fixed statfs)", async () => {
    const out = new MetricSet();
    await collectFilesystems(out, fixturePaths, readMounts(fixturePaths)!, { ...excludes, timeoutMs: 1000, statfs: async () => FIXED });
    const text = out.render();
    expectGolden("filesystem", text);
    expect(text).toContain(`node_filesystem_size_bytes{device="/dev/vda",device_error="",fstype="ext4",mountpoint="/"} 4096000\n`);
    expect(text).toContain(`node_filesystem_avail_bytes{device="/dev/vda",device_error="",fstype="ext4",mountpoint="/"} 2048000\n`);
    expect(text).not.toContain(`mountpoint="/proc"`);
    expect(text).not.toContain(`fstype="cgroup"`);
  });

  test("mountinfo octal escapes and read-only mounts", async () => {
    const mounts = [
      { device: "/dev/sdb1", mountpoint: "/mnt/my disk", fstype: "xfs", options: "ro,relatime" },
      { device: "/dev/sdc1", mountpoint: "/data", fstype: "ext4", options: "rw,relatime" },
    ];
    const out = new MetricSet();
    await collectFilesystems(out, fixturePaths, mounts, { timeoutMs: 1000, statfs: async () => FIXED });
    const text = out.render();
    expect(text).toContain(`node_filesystem_readonly{device="/dev/sdb1",device_error="",fstype="xfs",mountpoint="/mnt/my disk"} 1\n`);
    expect(text).toContain(`node_filesystem_readonly{device="/dev/sdc1",device_error="",fstype="ext4",mountpoint="/data"} 0\n`);
  });

  test("a statfs that hangs marks only that mount, and is not asked again while stuck", async () => {
    const mounts = [
      { device: "srv:/export", mountpoint: "/net/hung", fstype: "nfs4", options: "rw" },
      { device: "/dev/sdc1", mountpoint: "/data", fstype: "ext4", options: "rw" },
    ];
    let hungCalls = 0;
    const statfs = (path: string) => {
      if (path.endsWith("/net/hung")) {
        hungCalls++;
        return new Promise<StatFs>(() => {});
      }
      return Promise.resolve(FIXED);
    };
    for (let scrape = 0; scrape < 2; scrape++) {
      const out = new MetricSet();
      const started = performance.now();
      await collectFilesystems(out, fixturePaths, mounts, { timeoutMs: 200, statfs });
      expect(performance.now() - started).toBeLessThan(2000);
      const text = out.render();
      expect(text).toContain(`node_filesystem_device_error{device="srv:/export",device_error="mountpoint timeout",fstype="nfs4",mountpoint="/net/hung"} 1\n`);
      expect(text).not.toContain(`node_filesystem_size_bytes{device="srv:/export"`);
      expect(text).toContain(`node_filesystem_size_bytes{device="/dev/sdc1",device_error="",fstype="ext4",mountpoint="/data"} 4096000\n`);
    }
    expect(hungCalls).toBe(1);
  });

  test("a failing statfs is a device error, not a collector failure", async () => {
    const out = new MetricSet();
    const mounts = [{ device: "/dev/x", mountpoint: "/gone", fstype: "ext4", options: "rw" }];
    const statfs = () => Promise.reject(Object.assign(new Error("EACCES: permission denied, statfs '/gone'"), { code: "EACCES" }));
    await collectFilesystems(out, fixturePaths, mounts, { timeoutMs: 1000, statfs });
    expect(out.render()).toContain(`node_filesystem_device_error{device="/dev/x",device_error="permission denied",fstype="ext4",mountpoint="/gone"} 1\n`);
  });

  test("the real statfs of the fixture root succeeds", async () => {
    const text = await collectText(filesystem);
    expect(text).toContain(`node_filesystem_device_error{device="/dev/vda",device_error="",fstype="ext4",mountpoint="/"} 0\n`);
    expect(Number(/^node_filesystem_size_bytes\{device="\/dev\/vda"[^}]*\} (\d+)$/m.exec(text)![1])).toBeGreaterThan(0);
  });
});
