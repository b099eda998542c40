/**
 * systemd units, sockets, timers and the manager's state, asked of org.freedesktop.systemd1 over D-Bus as
 * node_exporter 1.8.2 asks (off by default, like node_exporter's): one connection per scrape, ListUnits, then
 * one Properties.Get per unit and property. The calls go out together on the one connection (node_exporter
 * runs them from a few goroutines; the connection keeps at most 64 waiting); a property a unit does not have is
 * left out, as node_exporter leaves it.
 */
import { ConfigError, flag, type Logger, type MetricSet } from "@agent/core";
import { DBusConnection, systemBusAddress, type DBusValue } from "@agent/os";
import { defineCollector } from "../collector.ts";

const SYSTEMD = "org.freedesktop.systemd1";
const MANAGER_PATH = "/org/freedesktop/systemd1";
/** systemd's own socket, where it talks D-Bus peer to peer without a bus (node_exporter's --collector.systemd.private). */
export const SYSTEMD_PRIVATE_SOCKET = "unix:path=/run/systemd/private";
/** The version that brought the manager's SystemState and timers' LastTriggerUSec. */
const MIN_VERSION_SYSTEM_STATE = 212;
const STATES = ["active", "activating", "deactivating", "inactive", "failed"];
const UINT64_MAX = 0xffffffffffffffffn;
const DEFAULT_INCLUDE = ".+";
const DEFAULT_EXCLUDE = ".+\\.(automount|device|mount|scope|slice)";

/** One row of ListUnits' a(ssssssouso), the fields used here. */
interface Unit {
  name: string;
  loadState: string;
  activeState: string;
  path: string;
}

/** The first run of three or more digits, with a fraction if one follows ("252.38-1~deb12u1" -> 252.38), as node_exporter reads it. */
export function parseSystemdVersion(version: string): number | undefined {
  const m = /[0-9]{3,}(\.[0-9]+)?/.exec(version);
  return m ? Number(m[0]) : undefined;
}

function anchored(re: RegExp): RegExp {
  return new RegExp(`^(?:${re.source})$`);
}

/** The include or exclude pattern, from node_exporter's pre-1.0 name where that is given (with its warning). */
function unitPattern(current: RegExp | undefined, currentFlag: string, currentDefault: string, old: RegExp | undefined, oldFlag: string, log: Logger): RegExp {
  if (old === undefined) return anchored(current ?? /(?:)/);
  if (current !== undefined && current.source !== new RegExp(currentDefault).source) throw new ConfigError(`--${oldFlag} and --${currentFlag} are mutually exclusive`);
  log.warn(`--${oldFlag} is DEPRECATED and will be removed in 2.0.0, use --${currentFlag}`);
  return anchored(old);
}

export const systemd = defineCollector({
  name: "systemd",
  defaultEnabled: false,
  flags: {
    unitInclude: flag.regex("collector.systemd.unit-include", DEFAULT_INCLUDE, "Regexp of systemd units to include. Units must both match include and not match exclude to be included."),
    unitExclude: flag.regex("collector.systemd.unit-exclude", DEFAULT_EXCLUDE, "Regexp of systemd units to exclude. Units must both match include and not match exclude to be included."),
    unitWhitelist: flag.regex("collector.systemd.unit-whitelist", "", "Deprecated: use --collector.systemd.unit-include."),
    unitBlacklist: flag.regex("collector.systemd.unit-blacklist", "", "Deprecated: use --collector.systemd.unit-exclude."),
    taskMetrics: flag.bool("collector.systemd.enable-task-metrics", false, "Service units' tasks: node_systemd_unit_tasks_current and node_systemd_unit_tasks_max."),
    restartsMetrics: flag.bool("collector.systemd.enable-restarts-metrics", false, "Service units' restarts: node_systemd_service_restart_total."),
    startTimeMetrics: flag.bool("collector.systemd.enable-start-time-metrics", false, "Units' start time: node_systemd_unit_start_time_seconds."),
    private: flag.bool("collector.systemd.private", false, "Talk to systemd on its private socket /run/systemd/private, without a bus (needs root; for testing)."),
  },
  create: ({ config, log }) => {
    const include = unitPattern(config.unitInclude, "collector.systemd.unit-include", DEFAULT_INCLUDE, config.unitWhitelist, "collector.systemd.unit-whitelist", log);
    const exclude = unitPattern(config.unitExclude, "collector.systemd.unit-exclude", DEFAULT_EXCLUDE, config.unitBlacklist, "collector.systemd.unit-blacklist", log);
    return {
      async collect(out, { signal }) {
        let conn: DBusConnection;
        try {
          conn = await DBusConnection.open(config.private ? { address: SYSTEMD_PRIVATE_SOCKET, signal, bus: false } : { address: systemBusAddress(), signal });
        } catch (e) {
          throw new Error(`couldn't get dbus connection: ${(e as Error).message}`);
        }
        try {
          await collectFrom(conn, out, { include, exclude, ...config }, log);
        } finally {
          conn.close();
        }
      },
    };
  },
});

interface Options {
  include: RegExp;
  exclude: RegExp;
  taskMetrics: boolean;
  restartsMetrics: boolean;
  startTimeMetrics: boolean;
}

async function collectFrom(conn: DBusConnection, out: MetricSet, opts: Options, log: Logger): Promise<void> {
  const manager = (name: string) => conn.getProperty(SYSTEMD, MANAGER_PATH, `${SYSTEMD}.Manager`, name);
  /** A unit's property, or undefined (logged at debug) where the unit does not have it. */
  const property = async (unit: Unit, iface: string, name: string): Promise<DBusValue | undefined> => {
    try {
      return await conn.getProperty(SYSTEMD, unit.path, `${SYSTEMD}.${iface}`, name);
    } catch (e) {
      if (conn.closed) throw e; // the scrape's deadline, or the bus gone: no unit will answer
      log.debug(`couldn't get unit ${name}`, { unit: unit.name, err: (e as Error).message });
      return undefined;
    }
  };

  let versionText = "";
  try {
    versionText = String(await manager("Version"));
  } catch (e) {
    if (conn.closed) throw e;
    log.debug("Unable to get systemd version property, defaulting to 0", { err: (e as Error).message });
  }
  const version = parseSystemdVersion(versionText);
  out.gauge("node_systemd_version", "Detected systemd version", version ?? 0, { version: version === undefined ? "" : versionText });

  let rows: DBusValue[][];
  try {
    [rows] = (await conn.call({ destination: SYSTEMD, path: MANAGER_PATH, interface: `${SYSTEMD}.Manager`, member: "ListUnits" })) as [DBusValue[][]];
  } catch (e) {
    throw new Error(`couldn't get units: ${(e as Error).message}`);
  }
  const all: Unit[] = rows.map((r) => ({ name: r[0] as string, loadState: r[2] as string, activeState: r[3] as string, path: r[6] as string }));

  // every unit's state counts, kept or not, and a state beyond the five gets its own series, as in node_exporter
  const summary = new Map<string, number>(STATES.map((s) => [s, 0]));
  for (const u of all) summary.set(u.activeState, (summary.get(u.activeState) ?? 0) + 1);
  const units = out.family("node_systemd_units", "gauge", "Summary of systemd unit states");
  for (const [state, n] of summary) units.add(n, { state });

  const kept = all.filter((u) => opts.include.test(u.name) && !opts.exclude.test(u.name) && u.loadState === "loaded");
  const hasState = version !== undefined && version >= MIN_VERSION_SYSTEM_STATE;
  const systemState = hasState
    ? manager("SystemState").catch((e: Error) => {
        throw new Error(`couldn't get system state: ${e.message}`);
      })
    : undefined;
  await Promise.all([
    unitStates(out, kept, property, opts.restartsMetrics),
    sockets(out, kept, property),
    hasState ? timers(out, kept, property) : undefined,
    opts.startTimeMetrics ? startTimes(out, kept, property) : undefined,
    opts.taskMetrics ? tasks(out, kept, property) : undefined,
    systemState,
  ]);
  if (systemState) out.gauge("node_systemd_system_running", "Whether the system is operational (see 'systemctl is-system-running')", (await systemState) === "running" ? 1 : 0);
}

type Property = (unit: Unit, iface: string, name: string) => Promise<DBusValue | undefined>;

/** Each kept unit's state, one series per state, with the service's or mount's Type; and services' restarts. */
async function unitStates(out: MetricSet, units: readonly Unit[], property: Property, restarts: boolean): Promise<void> {
  const typed = (u: Unit) => (u.name.endsWith(".service") ? property(u, "Service", "Type") : u.name.endsWith(".mount") ? property(u, "Mount", "Type") : undefined);
  const [types, counts] = await Promise.all([
    Promise.all(units.map(typed)),
    Promise.all(units.map((u) => (restarts && u.name.endsWith(".service") ? property(u, "Service", "NRestarts") : undefined))),
  ]);
  const state = out.family("node_systemd_unit_state", "gauge", "Systemd unit");
  units.forEach((u, i) => {
    for (const s of STATES) state.add(u.activeState === s ? 1 : 0, { name: u.name, state: s, type: typeof types[i] === "string" ? types[i] : "" });
  });
  if (!restarts) return;
  const restart = out.family("node_systemd_service_restart_total", "counter", "Service unit count of Restart triggers");
  units.forEach((u, i) => {
    if (typeof counts[i] === "number") restart.add(counts[i], { name: u.name });
  });
}

/** Sockets' connection counts; a socket whose NAccepted or NConnections cannot be read ends there, as in node_exporter. */
async function sockets(out: MetricSet, units: readonly Unit[], property: Property): Promise<void> {
  const socketUnits = units.filter((u) => u.name.endsWith(".socket"));
  const read = await Promise.all(socketUnits.map((u) => Promise.all(["NAccepted", "NConnections", "NRefused"].map((p) => property(u, "Socket", p)))));
  const accepted = out.family("node_systemd_socket_accepted_connections_total", "counter", "Total number of accepted socket connections");
  const current = out.family("node_systemd_socket_current_connections", "gauge", "Current number of socket connections");
  // a gauge in node_exporter despite its name
  const refused = out.family("node_systemd_socket_refused_connections_total", "gauge", "Total number of refused socket connections");
  socketUnits.forEach((u, i) => {
    const [a, c, r] = read[i]!;
    if (typeof a !== "number") return;
    accepted.add(a, { name: u.name });
    if (typeof c !== "number") return;
    current.add(c, { name: u.name });
    if (typeof r === "number") refused.add(r, { name: u.name }); // NRefused came with systemd 239
  });
}

async function timers(out: MetricSet, units: readonly Unit[], property: Property): Promise<void> {
  const timerUnits = units.filter((u) => u.name.endsWith(".timer"));
  const last = await Promise.all(timerUnits.map((u) => property(u, "Timer", "LastTriggerUSec")));
  const fam = out.family("node_systemd_timer_last_trigger_seconds", "gauge", "Seconds since epoch of last trigger.");
  timerUnits.forEach((u, i) => {
    const us = last[i];
    if (typeof us === "bigint") fam.add(Number(us) / 1e6, { name: u.name });
  });
}

/** Every kept unit: when it last became active, 0 where it is not active now. */
async function startTimes(out: MetricSet, units: readonly Unit[], property: Property): Promise<void> {
  const entered = await Promise.all(units.map((u) => (u.activeState === "active" ? property(u, "Unit", "ActiveEnterTimestamp") : 0n)));
  const fam = out.family("node_systemd_unit_start_time_seconds", "gauge", "Start time of the unit since unix epoch in seconds.");
  units.forEach((u, i) => {
    const us = entered[i];
    if (typeof us === "bigint") fam.add(Number(us) / 1e6, { name: u.name });
  });
}

/** Services' TasksCurrent and TasksMax, each left out where systemd reports none (UINT64_MAX). */
async function tasks(out: MetricSet, units: readonly Unit[], property: Property): Promise<void> {
  const services = units.filter((u) => u.name.endsWith(".service"));
  const read = await Promise.all(services.map((u) => Promise.all([property(u, "Service", "TasksCurrent"), property(u, "Service", "TasksMax")])));
  const current = out.family("node_systemd_unit_tasks_current", "gauge", "Current number of tasks per Systemd unit");
  const max = out.family("node_systemd_unit_tasks_max", "gauge", "Maximum number of tasks per Systemd unit");
  services.forEach((u, i) => {
    const [c, m] = read[i]!;
    if (typeof c === "bigint" && c !== UINT64_MAX) current.add(Number(c), { name: u.name });
    if (typeof m === "bigint" && m !== UINT64_MAX) max.add(Number(m), { name: u.name });
  });
}
