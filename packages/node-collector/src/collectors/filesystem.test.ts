import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { MetricSet } from "@agent/core";
import { collectFilesystems, filesystem, PooledStatfs, readMounts, type StatFs } from "./filesystem.ts";
import { collectText, expectGolden, fixturePaths } from "../testing/golden.ts";

const FIXED: StatFs = { bsize: 4096, blocks: 1000, bfree: 600, bavail: 500, files: 100, ffree: 40 };
const excludes = {
  mountPointsExclude: filesystem.flags!.mountPointsExclude.default,
  fsTypesExclude: filesystem.flags!.fsTypesExclude.default,
};

describe("filesystem collector", () => {
  test("parses mountinfo and applies node_exporter's default excludes (golden, fixed statfs)", async () => {
    const out = new MetricSet();
    await collectFilesystems(out, fixturePaths, readMounts(fixturePaths)!, { ...excludes, timeoutMs: 1000, statfs: new PooledStatfs(async () => FIXED), statfsSync: () => FIXED });
    const text = out.render();
    expectGolden("filesystem", text);
    expect(text).toContain(`node_filesystem_size_bytes{device="/dev/vda",device_error="",fstype="ext4",mountpoint="/"} 4.096e+06\n`);
    expect(text).toContain(`node_filesystem_avail_bytes{device="/dev/vda",device_error="",fstype="ext4",mountpoint="/"} 2.048e+06\n`);
    expect(text).not.toContain(`mountpoint="/proc"`);
    expect(text).not.toContain(`fstype="cgroup"`);
  });

  test("read-only mounts; a mount point with a space", async () => {
    const mounts = [
      { device: "/dev/sdb1", mountpoint: "/mnt/my disk", path: "/mnt/my disk", fstype: "xfs", options: "ro,relatime" },
      { device: "/dev/sdc1", mountpoint: "/data", path: "/data", fstype: "ext4", options: "rw,relatime" },
    ];
    const out = new MetricSet();
    await collectFilesystems(out, fixturePaths, mounts, { timeoutMs: 1000, statfs: new PooledStatfs(async () => FIXED), statfsSync: () => FIXED });
    const text = out.render();
    expect(text).toContain(`node_filesystem_readonly{device="/dev/sdb1",device_error="",fstype="xfs",mountpoint="/mnt/my disk"} 1\n`);
    expect(text).toContain(`node_filesystem_readonly{device="/dev/sdc1",device_error="",fstype="ext4",mountpoint="/data"} 0\n`);
  });

  test("a statfs that hangs marks only that mount, and is not asked again while stuck", async () => {
    const mounts = [
      { device: "srv:/export", mountpoint: "/net/hung", path: "/net/hung", fstype: "nfs4", options: "rw" },
      { device: "/dev/sdc1", mountpoint: "/data", path: "/data", fstype: "ext4", options: "rw" },
    ];
    let hungCalls = 0;
    const statfs = new PooledStatfs((path) => {
      if (path.endsWith("/net/hung")) {
        hungCalls++;
        return new Promise<StatFs>(() => {});
      }
      return Promise.resolve(FIXED);
    });
    for (let scrape = 0; scrape < 2; scrape++) {
      const out = new MetricSet();
      const started = performance.now();
      await collectFilesystems(out, fixturePaths, mounts, { timeoutMs: 200, statfs, statfsSync: () => FIXED });
      expect(performance.now() - started).toBeLessThan(2000);
      const text = out.render();
      expect(text).toContain(`node_filesystem_device_error{device="srv:/export",device_error="mountpoint timeout",fstype="nfs4",mountpoint="/net/hung"} 1\n`);
      expect(text).not.toContain(`node_filesystem_size_bytes{device="srv:/export"`);
      expect(text).toContain(`node_filesystem_size_bytes{device="/dev/sdc1",device_error="",fstype="ext4",mountpoint="/data"} 4.096e+06\n`);
    }
    expect(hungCalls).toBe(1);
  });

  test("scrapes that overlap before a mount is known to be stuck share its one statfs", async () => {
    const mounts = [{ device: "srv:/export", mountpoint: "/net/overlap", path: "/net/overlap", fstype: "nfs4", options: "rw" }];
    let calls = 0;
    const statfs = new PooledStatfs(() => {
      calls++;
      return new Promise<StatFs>(() => {});
    });
    const scrape = () => collectFilesystems(new MetricSet(), fixturePaths, mounts, { timeoutMs: 200, statfs, statfsSync: () => FIXED });
    await Promise.all([scrape(), scrape(), scrape()]);
    expect(calls).toBe(1);
  });

  test("local filesystems are asked inline, network ones and anything below them on the thread pool", () => {
    const inline: string[] = [];
    const pooled: string[] = [];
    const opts = {
      timeoutMs: 1000,
      statfs: new PooledStatfs((path) => (pooled.push(path), Promise.resolve(FIXED))),
      statfsSync: (path: string) => (inline.push(path), FIXED),
    };
    const local = [
      { device: "/dev/vda1", mountpoint: "/", path: "/", fstype: "ext4", options: "rw" },
      { device: "tmpfs", mountpoint: "/run/user/1000", path: "/run/user/1000", fstype: "tmpfs", options: "rw" },
    ];
    // Nothing to wait for: the collector finishes synchronously, so the registry's scrape stays synchronous.
    expect(collectFilesystems(new MetricSet(), fixturePaths, local, opts)).toBeUndefined();
    const root = fixturePaths.rootfs;
    expect(inline).toEqual([root + "/", root + "/run/user/1000"]);
    expect(pooled).toEqual([]);

    inline.length = 0;
    const withNfs = [...local, { device: "srv:/home", mountpoint: "/home", path: "/home", fstype: "nfs4", options: "rw" }, { device: "/dev/vdb", mountpoint: "/home/scratch", path: "/home/scratch", fstype: "xfs", options: "rw" }];
    expect(collectFilesystems(new MetricSet(), fixturePaths, withNfs, opts)).toBeInstanceOf(Promise);
    expect(inline).toEqual([root + "/", root + "/run/user/1000"]);
    // The xfs mount is local, but reaching it walks through the NFS mount above it.
    expect(pooled).toEqual([root + "/home", root + "/home/scratch"]);

    // A btrfs root (Fedora's default) is asked on the pool, but the walk through it to /boot needs no server.
    inline.length = 0;
    pooled.length = 0;
    const btrfsRoot = [
      { device: "/dev/vda3", mountpoint: "/", path: "/", fstype: "btrfs", options: "rw" },
      { device: "/dev/vda2", mountpoint: "/boot", path: "/boot", fstype: "ext4", options: "rw" },
    ];
    void collectFilesystems(new MetricSet(), fixturePaths, btrfsRoot, opts);
    expect(inline).toEqual([root + "/boot"]);
    expect(pooled).toEqual([root + "/"]);
  });

  test("a failing statfs is a device error, not a collector failure, inline or on the thread pool", async () => {
    const denied = () => Object.assign(new Error("EACCES: permission denied, statfs '/gone'"), { code: "EACCES" });
    const mounts = [
      { device: "/dev/x", mountpoint: "/gone", path: "/gone", fstype: "ext4", options: "rw" },
      { device: "srv:/x", mountpoint: "/net/gone", path: "/net/gone", fstype: "nfs", options: "rw" },
    ];
    const out = new MetricSet();
    const statfsSync = () => {
      throw denied();
    };
    await collectFilesystems(out, fixturePaths, mounts, { timeoutMs: 1000, statfs: new PooledStatfs(() => Promise.reject(denied())), statfsSync });
    const text = out.render();
    expect(text).toContain(`node_filesystem_device_error{device="/dev/x",device_error="permission denied",fstype="ext4",mountpoint="/gone"} 1\n`);
    expect(text).toContain(`node_filesystem_device_error{device="srv:/x",device_error="permission denied",fstype="nfs",mountpoint="/net/gone"} 1\n`);
  });

  test("the real statfs of the fixture root succeeds", async () => {
    const text = await collectText(filesystem);
    expect(text).toContain(`node_filesystem_device_error{device="/dev/vda",device_error="",fstype="ext4",mountpoint="/"} 0\n`);
    expect(Number(/^node_filesystem_size_bytes\{device="\/dev\/vda"[^}]*\} ([0-9.e+]+)$/m.exec(text)![1])).toBeGreaterThan(0);
  });

  describe("the mount table", () => {
    const line = (id: number, mp: string) => `${id} 1 8:1 / ${mp} rw,relatime shared:1 - ext4 /dev/sd${id} rw\n`;

    test("read-only as /proc/mounts shows it (node_exporter 1.8.2's source): the mount's or its superblock's", () => {
      const dir = mkdtempSync("/tmp/mounts-ro-");
      mkdirSync(dir + "/1");
      writeFileSync(
        dir + "/1/mountinfo",
        "1 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" +
          "2 1 8:2 / /errored rw,relatime shared:2 - ext4 /dev/sda2 ro,errors=remount-ro\n" +
          "3 1 8:3 / /bound ro,relatime shared:3 - ext4 /dev/sda3 rw\n",
      );
      const mounts = readMounts({ ...fixturePaths, procfs: dir })!;
      expect(mounts.map((m) => [m.mountpoint, m.options])).toEqual([
        ["/", "rw,relatime"],
        ["/errored", "ro,relatime"],
        ["/bound", "ro,relatime"],
      ]);
      rmSync(dir, { recursive: true });
    });

    test("a table in a regular file (a fixture tree) is read anew on every call", () => {
      const dir = mkdtempSync("/tmp/mounts-file-");
      mkdirSync(dir + "/1");
      writeFileSync(dir + "/1/mountinfo", line(1, "/"));
      const paths = { ...fixturePaths, procfs: dir };
      expect(readMounts(paths)!.map((m) => m.mountpoint)).toEqual(["/"]);
      writeFileSync(dir + "/1/mountinfo", line(1, "/") + line(2, "/data"));
      expect(readMounts(paths)!.map((m) => m.mountpoint)).toEqual(["/", "/data"]);
      rmSync(dir, { recursive: true });
    });

    // A process in a mount namespace of its own, which mounts a tmpfs when told to.
    const unshare = Bun.spawnSync(["unshare", "-rm", "true"], { stderr: "ignore" }).exitCode === 0;

    test.skipIf(!unshare)("escaped names are labelled as node_exporter 1.8.2 labels them, and statfs gets the real path", async () => {
      // The kernel writes space, tab, newline and backslash as \040, \011, \012, \134; node_exporter undoes
      // the first two in the mount point and nothing in the device.
      const base = mkdtempSync("/tmp/mounts-escaped-");
      const names = ["my disk", "tab\there", "new\nline", "back\\slash"];
      for (const n of names) mkdirSync(`${base}/${n}`);
      const script = names.map((_, i) => `mount -t tmpfs -o size=${i + 1}m "my dev" "$${i + 1}"`).join(" && ");
      const child = Bun.spawn(["unshare", "-rm", "sh", "-c", `${script} && echo mounted; read done`, "sh", ...names.map((n) => `${base}/${n}`)], { stdin: "pipe", stdout: "pipe" });
      const dir = mkdtempSync("/tmp/mounts-proc-");
      try {
        expect(new TextDecoder().decode((await child.stdout.getReader().read()).value)).toBe("mounted\n");
        symlinkSync(`/proc/${child.pid}`, dir + "/1");
        // statfs through the child's root, which sees its mounts.
        const text = await collectText(filesystem, { paths: { procfs: dir, rootfs: `/proc/${child.pid}/root` } });
        const size = (mp: string) => `node_filesystem_size_bytes{device="my\\\\040dev",device_error="",fstype="tmpfs",mountpoint="${base}/${mp}"} `;
        expect(text).toContain(size("my disk") + "1.048576e+06\n");
        expect(text).toContain(size("tab\there") + "2.097152e+06\n");
        expect(text).toContain(size("new\\\\012line") + "3.145728e+06\n");
        expect(text).toContain(size("back\\\\134slash") + "4.194304e+06\n");
      } finally {
        child.kill();
        rmSync(dir, { recursive: true });
        await child.exited;
        rmSync(base, { recursive: true });
      }
    });
    test.skipIf(!unshare)("procfs's table is parsed once and again only after poll(2) reports a change to the mounts", async () => {
      const child = Bun.spawn(["unshare", "-rm", "sh", "-c", "echo ready; read go; mount -t tmpfs agent-test /mnt && echo mounted; read done"], { stdin: "pipe", stdout: "pipe" });
      const dir = mkdtempSync("/tmp/mounts-proc-");
      const reader = child.stdout.getReader();
      const said = async () => new TextDecoder().decode((await reader.read()).value);
      try {
        expect(await said()).toBe("ready\n"); // in its own namespace by now
        symlinkSync(`/proc/${child.pid}`, dir + "/1"); // so that "<procfs>/1/mountinfo" is the child's
        const paths = { ...fixturePaths, procfs: dir };
        const first = readMounts(paths)!;
        expect(first.some((m) => m.device === "agent-test")).toBe(false);
        expect(readMounts(paths)).toBe(first); // unchanged: the same parse
        child.stdin.write("go\n");
        child.stdin.flush();
        expect(await said()).toBe("mounted\n");
        const second = readMounts(paths)!;
        expect(second).not.toBe(first);
        expect(second.find((m) => m.device === "agent-test")).toMatchObject({ mountpoint: "/mnt", fstype: "tmpfs" });
        expect(readMounts(paths)).toBe(second);
      } finally {
        child.kill();
        rmSync(dir, { recursive: true });
      }
    });
  });
});
