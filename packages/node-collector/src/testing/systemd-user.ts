/**
 * A real systemd for tests: `systemd --user` (Debian's systemd package) with its runtime and unit directories
 * in a temporary directory, and Debian's user dbus.service started under it, so that the manager registers
 * org.freedesktop.systemd1 on that bus as it does on a host's system bus. It needs root and no systemd as
 * PID 1: systemd refuses to run a user instance unless /run/systemd/system exists, so it runs in a mount
 * namespace of its own (unshare) where a temporary directory is bound over /run/systemd; the host's /run is
 * left as it was (but for an empty /run/systemd created where there is none to bind over). It also runs in a
 * cgroup of its own: a user manager takes the cgroup it starts in as its tree, so two of them (two test runs at
 * once) in one cgroup would move and kill each other's processes.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DBusConnection } from "@agent/os";

export interface SystemdUser {
  /** The user bus systemd is on: DBUS_SYSTEM_BUS_ADDRESS for the collector. */
  busAddress: string;
  /** The manager's own peer-to-peer socket ($XDG_RUNTIME_DIR/systemd/private). */
  privateAddress: string;
  /** `systemctl --user ...`'s standard output; throws with its standard error when it fails. */
  systemctl(...args: string[]): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The directories of this process's cgroups that systemd manages: the name=systemd hierarchy of a cgroup v1 or
 * hybrid host, and the cgroup2 one (mounted at /sys/fs/cgroup/unified on a hybrid host, /sys/fs/cgroup on v2).
 */
function ownCgroups(): string[] {
  const dirs: string[] = [];
  for (const line of readFileSync("/proc/self/cgroup", "utf8").split("\n")) {
    const [, controllers, path] = /^\d+:([^:]*):(.*)$/.exec(line) ?? [];
    if (path === undefined) continue;
    if (controllers === "name=systemd") dirs.push(join("/sys/fs/cgroup/systemd", path));
    else if (controllers === "") dirs.push(join(existsSync("/sys/fs/cgroup/unified") ? "/sys/fs/cgroup/unified" : "/sys/fs/cgroup", path));
  }
  return dirs.filter((d) => existsSync(join(d, "cgroup.procs")));
}

/** Removes a cgroup directory and what systemd left under it (cgroups are removed with rmdir, deepest first). */
function removeCgroup(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeCgroup(join(dir, e.name));
  try {
    rmdirSync(dir);
  } catch {
    // still busy: a process systemd left behind; the directory goes with the next reboot
  }
}

/** Whether a cgroup can be made under `dir` (a container may mount cgroupfs read-only). */
function canCreateCgroup(dir: string): boolean {
  const probe = join(dir, `agent-test-probe-${process.pid}`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
    return true;
  } catch {
    return false;
  }
}

/** Whether this machine can run one: root allowed a mount namespace, systemd and Debian's user dbus.service (dbus-user-session). */
export function canRunSystemdUser(): boolean {
  return (
    process.getuid?.() === 0 &&
    existsSync("/lib/systemd/systemd") &&
    existsSync("/usr/lib/systemd/user/dbus.service") &&
    Bun.which("unshare") !== null &&
    ownCgroups().length > 0 &&
    ownCgroups().every(canCreateCgroup) &&
    Bun.spawnSync(["unshare", "--mount", "true"]).exitCode === 0
  );
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const end = performance.now() + ms;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`systemd --user: ${what} did not happen within ${ms} ms`);
    await Bun.sleep(25);
  }
}

/** Starts systemd --user with `units` (file name -> unit file text) and waits until it is on its bus. */
export async function startSystemdUser(units: Record<string, string>): Promise<SystemdUser> {
  const dir = mkdtempSync(join(tmpdir(), "agent-systemd-"));
  const runtime = join(dir, "runtime");
  const unitDir = join(dir, "config", "systemd", "user");
  const boundRun = join(dir, "run-systemd");
  mkdirSync(runtime);
  chmodSync(runtime, 0o700);
  mkdirSync(unitDir, { recursive: true });
  mkdirSync(join(boundRun, "system"), { recursive: true });
  for (const [name, text] of Object.entries(units)) writeFileSync(join(unitDir, name), text);
  const cgroups = ownCgroups().map((d) => join(d, `agent-test-${dir.slice(dir.lastIndexOf("-") + 1)}`));
  for (const c of cgroups) mkdirSync(c);
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(dir, "config") };
  const script = 'bound="$1"; shift; for c in "$@"; do echo $$ > "$c/cgroup.procs" || exit 1; done; mkdir -p /run/systemd && mount --bind "$bound" /run/systemd && exec /lib/systemd/systemd --user';
  const manager = Bun.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", boundRun, ...cgroups], {
    env,
    stdout: "ignore",
    stderr: "pipe",
  });
  const systemctl = async (...args: string[]): Promise<string> => {
    const p = Bun.spawn(["systemctl", "--user", "--no-pager", ...args], { env, stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    if (code !== 0) throw new Error(`systemctl --user ${args.join(" ")}: exit ${code}: ${err.trim()}`);
    return out;
  };
  const stop = async () => {
    manager.kill(); // SIGTERM: a user manager stops its units and exits
    await manager.exited;
    rmSync(dir, { recursive: true, force: true });
    for (const c of cgroups) removeCgroup(c);
  };
  const busAddress = `unix:path=${join(runtime, "bus")}`;
  try {
    await until("its private socket", async () => {
      if (manager.exitCode !== null) throw new Error(`systemd --user exited ${manager.exitCode}: ${await new Response(manager.stderr).text()}`);
      return existsSync(join(runtime, "systemd", "private"));
    });
    await systemctl("start", "dbus.service");
    await until("org.freedesktop.systemd1 on its bus", async () => {
      const conn = await DBusConnection.open({ address: busAddress, signal: AbortSignal.timeout(2000) }).catch(() => undefined);
      if (!conn) return false;
      try {
        const [has] = await conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "NameHasOwner", signature: "s", body: ["org.freedesktop.systemd1"] });
        return has === true;
      } finally {
        conn.close();
      }
    });
  } catch (e) {
    await stop();
    throw e;
  }
  return { busAddress, privateAddress: `unix:path=${join(runtime, "systemd", "private")}`, systemctl, stop };
}
