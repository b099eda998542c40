/**
 * A minimal Debian root made by `debootstrap --variant=minbase`, from the mirror apt on this machine uses.
 * The first build (~40 s with a reachable mirror) is kept under /var/cache, keyed by the debootstrap
 * arguments; each test works on its own copy (cp -a, under a second) so the cached tree stays pristine.
 * Needs root (debootstrap, chroot, mount).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const CACHE = "/var/cache/agent-test-rootfs";
const FALLBACK_MIRROR = "http://deb.debian.org/debian";

export const isRoot = process.getuid?.() === 0;

/** The first `deb` source for `suite` in sources.list or sources.list.d (one-line and deb822 forms). */
function aptMirror(suite: string): string {
  const files = ["/etc/apt/sources.list"];
  const dir = "/etc/apt/sources.list.d";
  if (existsSync(dir)) for (const f of readdirSync(dir).sort()) if (/\.(list|sources)$/.test(f)) files.push(join(dir, f));
  for (const file of files) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    for (const line of text.split("\n")) {
      const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
      if (m && m[2] === suite) return m[1]!;
    }
    for (const stanza of text.split(/\n\s*\n/)) {
      const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, "mi").exec(stanza)?.[1]?.trim().split(/\s+/) ?? [];
      if (field("Types").includes("deb") && field("Suites").includes(suite) && !/^Enabled:\s*no/im.test(stanza)) {
        const uri = field("URIs")[0];
        if (uri) return uri;
      }
    }
  }
  return FALLBACK_MIRROR;
}

function run(cmd: string[], what: string): void {
  const p = Bun.spawnSync(cmd, { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${what} failed (${p.exitCode}): ${p.stderr.toString().slice(-2000)}${p.stdout.toString().slice(-2000)}`);
}

/** The cached root for `suite`, made on first use. */
function cachedDebianRoot(suite = "bookworm"): string {
  const mirror = aptMirror(suite);
  const args = ["--variant=minbase", suite, mirror];
  const key = createHash("sha256").update(JSON.stringify(args)).digest("hex").slice(0, 12);
  const root = join(CACHE, `${suite}-minbase-${key}`);
  if (existsSync(join(root, "etc/debian_version"))) return root;
  mkdirSync(CACHE, { recursive: true });
  const partial = `${root}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  try {
    run([Bun.which("debootstrap") ?? "/usr/sbin/debootstrap", args[0]!, suite, partial, mirror], `debootstrap ${args.join(" ")}`);
    // Another run may have finished first; either tree is the same.
    if (!existsSync(root)) renameSync(partial, root);
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
  return root;
}

export interface DebianRoot {
  path: string;
  /** Mounts proc inside (for the programs run in it); undone by `remove`. */
  mountProc(): void;
  /** Unmounts what was mounted, then deletes the copy; refuses to delete while anything is still mounted. */
  remove(): void;
}

/** A private copy of the cached root, to change freely. */
export function debianRootCopy(suite = "bookworm"): DebianRoot {
  const source = cachedDebianRoot(suite);
  const parent = mkdtempSync(join(tmpdir(), "agent-debian-"));
  const path = join(parent, "root");
  run(["cp", "-a", source, path], "copying the Debian root");
  const procDir = join(path, "proc");
  const mounted = () => readFileSync("/proc/self/mounts", "utf8").split("\n").some((l) => l.split(" ")[1] === procDir);
  return {
    path,
    mountProc() {
      run(["mount", "-t", "proc", "proc", procDir], "mount proc");
    },
    remove() {
      if (mounted()) {
        const p = Bun.spawnSync(["umount", procDir]);
        if (p.exitCode !== 0) Bun.spawnSync(["umount", "-l", procDir]);
      }
      if (mounted()) throw new Error(`${procDir} is still mounted; not deleting ${parent}`);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
