// The binary on a host that has neither Bun nor Node.js: a minimal Debian (debootstrap --variant=minbase),
// entered with chroot; the roles inside are reached from outside over loopback.
import { expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { agentBinary, curl, debianRootCopy, isRoot, startAgent } from "../harness/index.ts";

// A cold run builds the Debian root first (~40 s); later runs copy the cached tree.
setDefaultTimeout(180_000);

if (!isRoot) console.warn("test/frame/debian-root: SKIPPED, not root (debootstrap, chroot and mount need root)");

test.skipIf(!isRoot)("in a minimal Debian root without Bun or Node.js, the binary runs node and push", async () => {
  const chroot = Bun.which("chroot") ?? "/usr/sbin/chroot";
  const root = debianRootCopy("bookworm");
  try {
    const inside = "/usr/local/bin/agent";
    copyFileSync(agentBinary(), join(root.path, inside));
    chmodSync(join(root.path, inside), 0o755);

    const which = Bun.spawnSync([chroot, root.path, "/bin/sh", "-c", "command -v bun node nodejs"], { stdout: "pipe", stderr: "pipe" });
    expect(which.stdout.toString()).toBe("");
    expect(which.exitCode).not.toBe(0);
    for (const dir of ["usr/bin", "usr/local/bin", "usr/lib"]) {
      expect(readdirSync(join(root.path, dir)).filter((f) => /^(bun|node|nodejs|node_modules)$/.test(f))).toEqual([]);
    }

    // A Bun executable finds its embedded program through /proc/self/exe: without /proc it aborts at once.
    root.mountProc();
    const env = { PATH: "/usr/local/bin:/usr/bin:/bin", TMPDIR: "/tmp", HOME: "/root" };
    const version = Bun.spawnSync([chroot, root.path, inside, "--version"], { stdout: "pipe", stderr: "pipe", env });
    expect(version.stderr.toString()).toBe("");
    expect(version.stdout.toString()).toMatch(/^agent \S+ \(revision \S+, bun \d+\.\d+\.\d+/);
    expect(version.exitCode).toBe(0);

    const agent = await startAgent({
      roles: ["node", "push"],
      command: [chroot, root.path],
      bin: inside,
      storagePath: "/var/lib/agent",
      cwd: root.path,
      env,
    });
    let code: number | null;
    try {
      const push = await curl(`${agent.urls.push}/metrics/job/chroot`, ["--data-binary", "@-"], "chroot_metric 7\n");
      expect(push.status).toBe(200);
      const pushed = await curl(`${agent.urls.push}/metrics`);
      expect(pushed.status).toBe(200);
      expect(pushed.body).toMatch(/^chroot_metric\{instance="",job="chroot"\} 7$/m);
      const node = await curl(`${agent.urls.node}/metrics`);
      expect(node.status).toBe(200);
      expect(node.body).toMatch(/^node_load1 \S+$/m);
      expect(node.body).toMatch(/^process_resident_memory_bytes \S+$/m);
    } finally {
      code = await agent.stop("SIGTERM");
    }
    expect(code).toBe(0);
    expect(existsSync(join(root.path, "var/lib/agent/push"))).toBe(true);
    expect(readdirSync(join(root.path, "var/lib/agent/push")).some((f) => f.endsWith(".mdb"))).toBe(true);
  } finally {
    root.remove();
  }
});
