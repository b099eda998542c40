import { promises as fsp, statfsSync } from "node:fs";
import { flag, type MetricSet } from "@agent/core";
import { pollHeldFile } from "@agent/os";
import { defineCollector, type NodePaths } from "../collector.ts";
import { fields, procPath, readText, rootfsPath } from "../read.ts";

const DEFAULT_MOUNT_POINTS_EXCLUDE = "^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)";
const DEFAULT_FS_TYPES_EXCLUDE =
  "^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$";

export interface Mount {
  /** As the mount table writes it, octal escapes kept: node_exporter's `device` label. */
  device: string;
  /** node_exporter's `mountpoint` label: only the \040 (space) and \011 (tab) escapes undone. */
  mountpoint: string;
  /** The mount point itself, every escape undone: what statfs and the btrfs ioctls are given. */
  path: string;
  fstype: string;
  options: string;
}

export interface StatFs {
  bsize: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

/** The kernel escapes space, tab, newline and backslash in mount tables as \ooo octal. */
function unescapeOctal(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The mount point as node_exporter 1.8.2 labels it: it undoes \040 and \011 only (as fstab(5) lists them), so
 * a newline or a backslash in a mount point stays escaped in the label, and device and fstype keep all escapes.
 */
function labelMountpoint(s: string): string {
  if (s.indexOf("\\") < 0) return s;
  return s.replaceAll("\\040", " ").replaceAll("\\011", "\t");
}

function parseMountinfo(text: string): Mount[] {
  const out: Mount[] = [];
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const f = fields(line);
    const dash = f.indexOf("-", 6);
    if (dash < 0 || f.length < dash + 3) continue;
    // node_exporter 1.8.2 reads /proc/mounts, whose first option is "ro" when the mount or its superblock is
    // read-only (an ext4 remounted ro after an error keeps a rw mount); mountinfo splits the two
    const superRo = f[dash + 3]?.split(",")[0] === "ro";
    const options = superRo && f[5]!.startsWith("rw") ? "ro" + f[5]!.slice(2) : f[5]!;
    out.push({ device: f[dash + 2]!, mountpoint: labelMountpoint(f[4]!), path: unescapeOctal(f[4]!), fstype: f[dash + 1]!, options });
  }
  return out;
}

const POLLPRI = 0x2;
const POLLERR = 0x8;
/**
 * Each mount table's last parse, by path, shared by every reader of the table (filesystem, btrfs): poll(2) on
 * the held descriptor reports a change once, so a second cache polling the same descriptor would miss it.
 */
const parsedTables = new Map<string, readonly Mount[]>();

/**
 * A mount table, parsed, or null when it does not exist. The kernel formats every mount on each read, and
 * filesystem and btrfs both need the table, so the last parse is kept while poll(2) on the held descriptor
 * says the namespace's mounts have not changed since.
 */
function mountTable(path: string): readonly Mount[] | null {
  const last = parsedTables.get(path);
  if (last !== undefined) {
    const events = pollHeldFile(path, POLLPRI);
    if (events !== null && (events & (POLLPRI | POLLERR)) === 0) return last;
  }
  const text = readText(path);
  if (text === null) {
    parsedTables.delete(path);
    return null;
  }
  const mounts = parseMountinfo(text);
  parsedTables.set(path, mounts);
  return mounts;
}

/** /proc/1/mountinfo (the host's mount namespace when procfs is the host's), else /proc/self/mountinfo. */
export function readMounts(paths: NodePaths): readonly Mount[] | null {
  return mountTable(procPath(paths, "1/mountinfo")) ?? mountTable(procPath(paths, "self/mountinfo"));
}

/** The mount point as seen from the host, with --path.rootfs stripped (node_exporter in a container). */
function hostMountpoint(paths: NodePaths, mp: string): string {
  const root = paths.rootfs.replace(/\/+$/, "");
  if (root === "" || !mp.startsWith(root)) return mp;
  const rest = mp.slice(root.length);
  return rest === "" ? "/" : rest.startsWith("/") ? rest : mp;
}

export type StatFsFn = (path: string) => Promise<StatFs>;

/** The system's words for the error ("permission denied"), as node_exporter puts them in device_error. */
function errorText(e: NodeJS.ErrnoException): string {
  const m = /^[A-Z0-9]+: ([^,]+)/.exec(e.message ?? "");
  return m ? m[1]! : (e.code ?? String(e.message ?? e));
}

type Outcome = { ok: StatFs } | { error: string };

/** statfs on the thread pool, under a timeout, at most one call per mount point at a time. */
export class PooledStatfs {
  /**
   * Mount points whose statfs has not come back. statfs on a dead NFS server blocks its thread for minutes;
   * such a mount is reported with device_error until that call returns, and is not asked again meanwhile,
   * so one hung server ties up at most one thread and never a scrape.
 */
  private readonly stuck = new Set<string>();
  /**
   * statfs calls not come back yet, by mount point: scrapes that overlap (two Prometheus servers, the node
   * page's history) wait on the call in flight rather than start another, which before a mount was known to be
   * stuck tied up one more pool thread each (two such calls left a 2-core host's pool with none, and pushes,
   * whose store commits on that pool, waiting).
   */
  private readonly asking = new Map<string, Promise<StatFs>>();

  constructor(private readonly statfs: StatFsFn = (path) => fsp.statfs(path)) {}

  ask(path: string, timeoutMs: number): Promise<Outcome> {
    if (this.stuck.has(path)) return Promise.resolve({ error: "mountpoint timeout" });
    let ask = this.asking.get(path);
  if (ask === undefined) {
      const call = this.statfs(path);
    const done = () => {
        this.asking.delete(path);
        this.stuck.delete(path);
    };
    call.then(done, done);
      this.asking.set(path, (ask = call));
  }
  const answer = ask;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
        this.stuck.add(path);
      resolve({ error: "mountpoint timeout" });
    }, timeoutMs);
    answer.then(
      (st) => {
        clearTimeout(timer);
        resolve({ ok: st });
      },
      (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve({ error: errorText(e) });
      },
    );
  });
  }
}

const HELP = {
  size: "Filesystem size in bytes.",
  free: "Filesystem free space in bytes.",
  avail: "Filesystem space available to non-root users in bytes.",
  files: "Filesystem total file nodes.",
  filesFree: "Filesystem total free file nodes.",
  readonly: "Filesystem read-only status.",
  deviceError: "Whether an error occurred while getting statistics for the given device.",
};

/**
 * Filesystem types whose statfs answers from counters in memory and never waits on a server or a device:
 * these are asked inline. A thread-pool hop per mount, and the promise that made the whole scrape wait on it,
 * was 4% of a scrape's CPU. Every other type (nfs, cifs, fuse, lustre, ceph, zfs, ...) is asked on the
 * thread pool under the mount timeout.
 */
const INLINE_FS_TYPES = new Set(["ext2", "ext3", "ext4", "xfs", "tmpfs", "ramfs", "vfat", "msdos", "exfat", "f2fs"]);
/**
 * What a path walk to an inline mount may pass through: local filesystems, whose cached dentries need no
 * revalidation. A hung NFS mount above it would stall the walk.
 */
const WALKABLE_FS_TYPES = new Set([...INLINE_FS_TYPES, "overlay", "btrfs"]);

function isBelow(mountpoint: string, ancestor: string): boolean {
  return ancestor === "/" ? mountpoint !== "/" : mountpoint.startsWith(ancestor + "/");
}

function askedInline(m: Mount, mounts: readonly Mount[]): boolean {
  return INLINE_FS_TYPES.has(m.fstype) && mounts.every((o) => WALKABLE_FS_TYPES.has(o.fstype) || !isBelow(m.path, o.path));
}

export type StatFsSyncFn = (path: string) => StatFs;

const statfsSyncOf: StatFsSyncFn = (path) => statfsSync(path);

function statInline(path: string, statfs: StatFsSyncFn): Outcome {
  try {
    return { ok: statfs(path) };
  } catch (e) {
    return { error: errorText(e as NodeJS.ErrnoException) };
  }
}

export function collectFilesystems(
  out: MetricSet,
  paths: NodePaths,
  mounts: readonly Mount[],
  opts: { mountPointsExclude?: RegExp; fsTypesExclude?: RegExp; timeoutMs: number; statfs: PooledStatfs; statfsSync: StatFsSyncFn },
): Promise<void> | void {
  // Later mounts shadow earlier ones on the same point; keep one series per label set.
  const chosen = new Map<string, Mount & { mp: string }>();
  for (const m of mounts) {
    const mp = hostMountpoint(paths, m.mountpoint);
    if (opts.mountPointsExclude?.test(mp) || opts.fsTypesExclude?.test(m.fstype)) continue;
    chosen.set(m.device + "\0" + mp + "\0" + m.fstype, { ...m, mp });
  }
  const list = [...chosen.values()];
  const outcomes = list.map((m) => {
    const path = rootfsPath(paths, m.path);
    return askedInline(m, mounts) ? statInline(path, opts.statfsSync) : opts.statfs.ask(path, opts.timeoutMs);
  });
  if (outcomes.some((o) => o instanceof Promise)) return Promise.all(outcomes).then((results) => emitFilesystems(out, list, results));
  emitFilesystems(out, list, outcomes as Outcome[]);
}

function emitFilesystems(out: MetricSet, list: readonly (Mount & { mp: string })[], results: readonly Outcome[]): void {
  const size = out.family("node_filesystem_size_bytes", "gauge", HELP.size);
  const free = out.family("node_filesystem_free_bytes", "gauge", HELP.free);
  const avail = out.family("node_filesystem_avail_bytes", "gauge", HELP.avail);
  const files = out.family("node_filesystem_files", "gauge", HELP.files);
  const filesFree = out.family("node_filesystem_files_free", "gauge", HELP.filesFree);
  const readonly = out.family("node_filesystem_readonly", "gauge", HELP.readonly);
  const deviceError = out.family("node_filesystem_device_error", "gauge", HELP.deviceError);
  list.forEach((m, i) => {
    const r = results[i]!;
    const ro = (m.options + ",").startsWith("ro,") || m.options.includes(",ro,") ? 1 : 0;
    const labels = { device: m.device, device_error: "error" in r ? r.error : "", fstype: m.fstype, mountpoint: m.mp };
    deviceError.add("error" in r ? 1 : 0, labels);
    readonly.add(ro, labels);
    if ("error" in r) return;
    const st = r.ok;
    size.add(st.blocks * st.bsize, labels);
    free.add(st.bfree * st.bsize, labels);
    avail.add(st.bavail * st.bsize, labels);
    files.add(st.files, labels);
    filesFree.add(st.ffree, labels);
  });
}

export const filesystem = defineCollector({
  name: "filesystem",
  defaultEnabled: true,
  flags: {
    mountPointsExclude: flag.regex("collector.filesystem.mount-points-exclude", DEFAULT_MOUNT_POINTS_EXCLUDE, "Regexp of mount points to exclude for filesystem collector."),
    fsTypesExclude: flag.regex("collector.filesystem.fs-types-exclude", DEFAULT_FS_TYPES_EXCLUDE, "Regexp of filesystem types to exclude for filesystem collector."),
    // node_exporter's pre-1.0 names, still accepted there and still on users' command lines.
    ignoredMountPoints: flag.regex("collector.filesystem.ignored-mount-points", "", "Deprecated: use --collector.filesystem.mount-points-exclude."),
    ignoredFsTypes: flag.regex("collector.filesystem.ignored-fs-types", "", "Deprecated: use --collector.filesystem.fs-types-exclude."),
    mountTimeout: flag.duration("collector.filesystem.mount-timeout", 5, "How long to wait for a mount to respond before marking it as stale."),
    // node_exporter sizes a pool of statfs workers with it; here local filesystems are asked inline and each
    // other mount on its own under the mount timeout, so there is no pool to size
    statWorkers: flag.int("collector.filesystem.stat-workers", 4, "Accepted for node_exporter's command line; no effect."),
  },
  create({ paths, config }) {
    const statfs = new PooledStatfs();
    return {
      collect(out, { deadline }) {
        const mounts = readMounts(paths);
        // node_exporter fails the collector without a mount table (its /proc/1/mounts and /proc/mounts).
        if (mounts === null) throw new Error(`no mount table: neither ${procPath(paths, "1/mountinfo")} nor ${procPath(paths, "self/mountinfo")} exists`);
        return collectFilesystems(out, paths, mounts, {
          mountPointsExclude: config.ignoredMountPoints ?? config.mountPointsExclude,
          fsTypesExclude: config.ignoredFsTypes ?? config.fsTypesExclude,
          // Give up on a mount a little before the registry would give up on the whole collector.
          timeoutMs: Math.max(1, Math.min(config.mountTimeout * 1000, deadline === undefined ? Infinity : deadline - performance.now() - 250)),
          statfs,
          statfsSync: statfsSyncOf,
        });
      },
    };
  },
});
