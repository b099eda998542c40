/**
 * A real systemd for tests: `systemd --user` (Debian's systemd package) with its runtime and unit directories
 * in a temporary directory, and Debian's user dbus.service started under it, so that the manager registers
 * org.freedesktop.systemd1 on that bus as it does on a host's system bus. It needs root and no systemd as
 * PID 1: systemd refuses to run a user instance unless /run/systemd/system exists, so it runs in a mount
 * namespace of its own (unshare) where a temporary directory is bound over /run/systemd; the host's /run is
 * left as it was (but for an empty /run/systemd created where there is none to bind over).
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

/** Whether this machine can run one: root allowed a mount namespace, systemd and Debian's user dbus.service (dbus-user-session). */
export function canRunSystemdUser(): boolean {
  return (
    process.getuid?.() === 0 &&
    existsSync("/lib/systemd/systemd") &&
    existsSync("/usr/lib/systemd/user/dbus.service") &&
    Bun.which("unshare") !== null &&
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
  const env: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: dir, XDG_RUNTIME_DIR: runtime, XDG_CONFIG_HOME: join(dir, "config") };
  const manager = Bun.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c", 'mkdir -p /run/systemd && mount --bind "$1" /run/systemd && exec /lib/systemd/systemd --user', "sh", boundRun], {
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
