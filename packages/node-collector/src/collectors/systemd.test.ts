import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { Socket } from "bun";
import { ConfigError } from "@agent/core";
import { collectText, instantiate, promtoolProblems } from "../testing/golden.ts";
import { canRunSystemdUser, startSystemdUser, type SystemdUser } from "../testing/systemd-user.ts";
import { parseSystemdVersion, systemd } from "./systemd.ts";

const UNITS = {
  "fixture-sleep.service": "[Service]\nType=exec\nExecStart=/bin/sleep 600\n",
  // fails, is restarted until the start limit, and stays failed: a fixed NRestarts
  "fixture-fail.service": "[Unit]\nStartLimitIntervalSec=60\nStartLimitBurst=3\n[Service]\nExecStart=/bin/false\nRestart=on-failure\nRestartSec=10ms\n",
  "fixture.socket": "[Socket]\nListenStream=%t/fixture.sock\nAccept=yes\n",
  "fixture@.service": "[Service]\nExecStart=/bin/sleep 600\nStandardInput=socket\n",
  "fixture.timer": "[Timer]\nOnActiveSec=1ms\nAccuracySec=1ms\n",
  "fixture.service": "[Service]\nType=oneshot\nExecStart=/bin/true\n",
};

/** promtool's problems but node_exporter's own name for a gauge, kept for compatibility. */
const lint = (text: string) => promtoolProblems(text).filter((p) => !p.startsWith("node_systemd_socket_refused_connections_total non-counter"));

/** Series of `family` in `text`, by their name label: value as printed. */
function byName(text: string, family: string, extra = ""): Record<string, string> {
  const re = new RegExp(`^${family}\\{name="([^"]+)"${extra}\\} (\\S+)$`, "gm");
  return Object.fromEntries([...text.matchAll(re)].map((m) => [m[1]!, m[2]!]));
}

/**
 * `systemctl show --timestamp=us+utc`'s timestamp -> seconds, from whole microseconds as the collector divides
 * them; 0 for none. systemctl 252 prints LastTriggerUSec in whole seconds whatever --timestamp says.
 */
function usTimestamp(v: string): number {
  const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{6}))? UTC$/.exec(v);
  if (!m) return 0;
  return (Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) * 1000 + Number(m[7] ?? 0)) / 1e6;
}

test("systemd's version as node_exporter reads it: the number with its fraction", () => {
  expect(parseSystemdVersion("252.38-1~deb12u1")).toBe(252.38);
  expect(parseSystemdVersion("v245.4-4ubuntu3")).toBe(245.4);
  expect(parseSystemdVersion("249")).toBe(249);
  expect(parseSystemdVersion("unknown")).toBeUndefined();
});

test("the deprecated unit-whitelist and unit-blacklist stand in for unit-include and unit-exclude, but not beside them", () => {
  expect(() => instantiate(systemd, { config: { unitWhitelist: /a/, unitInclude: /b/ } })).toThrow(ConfigError);
  expect(() => instantiate(systemd, { config: { unitBlacklist: /a/, unitExclude: /b/ } })).toThrow("--collector.systemd.unit-blacklist and --collector.systemd.unit-exclude are mutually exclusive");
  const warned: string[] = [];
  const log = { warn: (m: string) => warned.push(m), debug() {}, info() {}, error() {} } as never;
  instantiate(systemd, { config: { unitWhitelist: /a/ }, log });
  expect(warned).toEqual(["--collector.systemd.unit-whitelist is DEPRECATED and will be removed in 2.0.0, use --collector.systemd.unit-include"]);
});

describe.skipIf(!canRunSystemdUser())("against a real systemd (systemd --user on its own D-Bus bus)", () => {
  let sd: SystemdUser;
  let clients: Socket[] = [];
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  let show: (unit: string, ...props: string[]) => Promise<Record<string, string>>;

  beforeAll(async () => {
    sd = await startSystemdUser(UNITS);
    show = async (unit, ...props) => Object.fromEntries((await sd.systemctl("show", "--timestamp=us+utc", "-p", props.join(","), ...(unit ? [unit] : []))).trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    await sd.systemctl("start", "fixture-sleep.service", "fixture.socket", "fixture.timer");
    await sd.systemctl("start", "fixture-fail.service").catch(() => {}); // it fails, as it should
    const runtime = sd.privateAddress.slice("unix:path=".length, -"/systemd/private".length);
    clients = await Promise.all([1, 2].map(() => Bun.connect({ unix: join(runtime, "fixture.sock"), socket: { data() {} } })));
    const settled = async () => {
      const [fail, timer, sock] = await Promise.all([show("fixture-fail.service", "ActiveState"), show("fixture.timer", "LastTriggerUSec"), show("fixture.socket", "NConnections")]);
      return fail.ActiveState === "failed" && timer.LastTriggerUSec !== "n/a" && timer.LastTriggerUSec !== "" && sock.NConnections === "2";
    };
    for (let i = 0; i < 200 && !(await settled()); i++) await Bun.sleep(25);
    process.env.DBUS_SYSTEM_BUS_ADDRESS = sd.busAddress;
  }, 30_000);

  afterAll(async () => {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    for (const c of clients) c.end();
    await sd?.stop();
  });

  test("unit states: the units systemctl lists, loaded and not excluded, each in its one state, services and mounts with their Type", async () => {
    const text = await collectText(systemd);
    expect(lint(text)).toEqual([]);
    const listed = (await sd.systemctl("list-units", "--all", "--plain", "--no-legend", "--full"))
      .trim()
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter(([name, load]) => load === "loaded" && !/^.+\.(automount|device|mount|scope|slice)$/.test(name!));
    const active = byName(text, "node_systemd_unit_state", `,state="(?:[a-z]+)",type="[^"]*"`);
    expect(Object.keys(active).sort()).toEqual(listed.map(([name]) => name!).sort());
    for (const [name, , state] of listed) {
      if (!name!.startsWith("fixture")) continue; // the host's own user units may change state meanwhile
      expect(text).toContain(`node_systemd_unit_state{name="${name}",state="${state}",type="`);
      expect(text.match(new RegExp(`^node_systemd_unit_state\\{name="${name!.replace(/[.@]/g, "\\$&")}",.* 1$`, "gm"))?.length).toBe(1);
    }
    expect(text).toContain(`node_systemd_unit_state{name="fixture-sleep.service",state="active",type="exec"} 1\n`);
    expect(text).toContain(`node_systemd_unit_state{name="fixture-fail.service",state="failed",type="simple"} 1\n`);
    expect(text).toContain(`node_systemd_unit_state{name="fixture.socket",state="active",type=""} 1\n`);
    // the summary counts every unit, excluded or not loaded too
    const summary = Object.fromEntries([...text.matchAll(/^node_systemd_units\{state="([a-z]+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(summary.failed).toBeGreaterThanOrEqual(1);
    expect(Object.keys(summary)).toEqual(expect.arrayContaining(["active", "activating", "deactivating", "failed", "inactive"]));
  });

  test("version and system state as systemctl shows them; sockets' and timers' counts", async () => {
    const text = await collectText(systemd);
    const version = (await sd.systemctl("--version")).match(/^systemd \d+ \(([^)]+)\)/)![1]!;
    expect(text).toContain(`node_systemd_version{version="${version}"} ${parseSystemdVersion(version)}\n`);
    const { SystemState } = await show("", "SystemState");
    expect(text).toContain(`node_systemd_system_running ${SystemState === "running" ? 1 : 0}\n`);
    const sock = await show("fixture.socket", "NAccepted", "NConnections", "NRefused");
    expect(sock.NAccepted).toBe("2");
    expect(byName(text, "node_systemd_socket_accepted_connections_total")["fixture.socket"]).toBe(sock.NAccepted);
    expect(byName(text, "node_systemd_socket_current_connections")["fixture.socket"]).toBe(sock.NConnections);
    expect(byName(text, "node_systemd_socket_refused_connections_total")["fixture.socket"]).toBe(sock.NRefused);
    expect(text).toContain("# TYPE node_systemd_socket_accepted_connections_total counter\n");
    const timer = await show("fixture.timer", "LastTriggerUSec");
    expect(Math.floor(Number(byName(text, "node_systemd_timer_last_trigger_seconds")["fixture.timer"]))).toBe(usTimestamp(timer.LastTriggerUSec!));
    expect(usTimestamp(timer.LastTriggerUSec!)).toBeGreaterThan(0);
    for (const off of ["node_systemd_service_restart_total", "node_systemd_unit_tasks_current", "node_systemd_unit_start_time_seconds"]) expect(text).not.toContain(off);
  });

  test("--collector.systemd.enable-restarts-metrics, enable-task-metrics, enable-start-time-metrics: what systemctl show says", async () => {
    const text = await collectText(systemd, { config: { restartsMetrics: true, taskMetrics: true, startTimeMetrics: true, unitInclude: /fixture.*/ } });
    expect(lint(text)).toEqual([]);
    const restarts = byName(text, "node_systemd_service_restart_total");
    const starts = byName(text, "node_systemd_unit_start_time_seconds");
    const current = byName(text, "node_systemd_unit_tasks_current");
    const max = byName(text, "node_systemd_unit_tasks_max");
    expect(Number(restarts["fixture-fail.service"])).toBeGreaterThanOrEqual(1);
    expect(restarts["fixture.socket"]).toBeUndefined(); // services only
    for (const unit of Object.keys(byName(text, "node_systemd_unit_state", ',state="active",type="[^"]*"'))) {
      const p = await show(unit, "NRestarts", "ActiveState", "ActiveEnterTimestamp", "TasksCurrent", "TasksMax");
      if (unit.endsWith(".service")) expect(restarts[unit]).toBe(p.NRestarts);
      expect(Number(starts[unit])).toBe(p.ActiveState === "active" ? usTimestamp(p.ActiveEnterTimestamp!) : 0);
      if (!unit.endsWith(".service")) continue;
      // "[not set]" and "infinity" are D-Bus's UINT64_MAX: left out
      expect(current[unit] ?? "left out").toBe(/^\d+$/.test(p.TasksCurrent!) ? p.TasksCurrent! : "left out");
      expect(max[unit] ?? "left out").toBe(/^\d+$/.test(p.TasksMax!) ? p.TasksMax! : "left out");
    }
    expect(Number(starts["fixture-sleep.service"])).toBeGreaterThan(0);
    expect(starts["fixture-fail.service"]).toBe("0");
  });

  test("unit-include/exclude, and their deprecated names in their place, anchored as node_exporter anchors them", async () => {
    const names = (text: string) => Object.keys(byName(text, "node_systemd_unit_state", ',state="active",type="[^"]*"')).sort();
    expect(names(await collectText(systemd, { config: { unitInclude: /fixture-.*/, unitExclude: /.*sleep.*/ } }))).toEqual(["fixture-fail.service"]);
    expect(names(await collectText(systemd, { config: { unitWhitelist: /fixture-.*/, unitBlacklist: /.*sleep.*/ } }))).toEqual(["fixture-fail.service"]);
    expect(names(await collectText(systemd, { config: { unitInclude: /fixture/ } }))).toEqual([]);
  });

  test("--collector.systemd.private: the same units over systemd's own socket, without the bus", async () => {
    // /run/systemd/private, as node_exporter names it: the manager's socket bound there in a mount namespace
    const socketDir = sd.privateAddress.slice("unix:path=".length, -"/private".length);
    const script = join(import.meta.dir, "..", "testing", "scrape-collector.ts");
    const p = Bun.spawn(["unshare", "--mount", "--propagation", "private", "sh", "-c", 'mkdir -p /run/systemd && mount --bind "$1" /run/systemd && shift && exec "$@"', "sh", socketDir, process.execPath, script, "systemd", '{"private":true,"unitInclude":"fixture.*"}'], {
      env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: "unix:path=/nonexistent" },
      stdout: "pipe",
      stderr: "pipe",
    });
    const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    expect({ code, err }).toEqual({ code: 0, err: "" });
    expect(out).toContain(`node_systemd_unit_state{name="fixture-sleep.service",state="active",type="exec"} 1\n`);
    expect(out).toContain(`node_systemd_socket_accepted_connections_total{name="fixture.socket"} 2\n`);
  }, 20_000);
});

describe("no systemd to talk to", () => {
  test("no bus: the collector fails naming the socket, as node_exporter's couldn't get dbus connection", async () => {
    const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
    process.env.DBUS_SYSTEM_BUS_ADDRESS = "unix:path=/nonexistent/bus";
    try {
      await expect(collectText(systemd)).rejects.toThrow("couldn't get dbus connection: cannot connect to D-Bus at unix:path=/nonexistent/bus: ENOENT");
    } finally {
      if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
      else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
    }
  });
});
