/**
 * systemd unit states. node_exporter asks systemd over D-Bus; the agent asks `systemctl`, whose plain list
 * output carries the same unit names and active states (off by default, like node_exporter's).
 */
import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { fields, lines } from "../read.ts";

const STATES = ["activating", "active", "deactivating", "failed", "inactive"];

async function run(cmd: string[], signal: AbortSignal): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn(cmd, { stdout: "pipe", stderr: "ignore", stdin: "ignore", signal, env: { ...process.env, SYSTEMD_COLORS: "0", LC_ALL: "C" } });
  const out = await new Response(proc.stdout).text();
  return { code: await proc.exited, out };
}

interface Unit {
  name: string;
  load: string;
  active: string;
}

/** `systemctl list-units --all --plain --no-legend` lines: UNIT LOAD ACTIVE SUB DESCRIPTION... */
function parseUnits(text: string): Unit[] {
  const units: Unit[] = [];
  for (const line of lines(text)) {
    const f = fields(line);
    if (f[0] === "●" || f[0] === "*") f.shift(); // the failed/not-found marker some versions print even with --plain
    if (f.length < 4) continue;
    units.push({ name: f[0]!, load: f[1]!, active: f[2]! });
  }
  return units;
}

/** `systemctl show -p ...` blocks ("Id=x.service\nType=simple\n\n...") -> unit name -> property -> value. */
function parseShow(text: string): Map<string, Map<string, string>> {
  const units = new Map<string, Map<string, string>>();
  for (const block of text.split("\n\n")) {
    const props = new Map<string, string>();
    for (const line of lines(block)) {
      const eq = line.indexOf("=");
      if (eq > 0) props.set(line.slice(0, eq), line.slice(eq + 1));
    }
    const id = props.get("Id");
    if (id) units.set(id, props);
  }
  return units;
}

/** A count systemctl prints, or undefined where it prints none ("[not set]", "infinity": D-Bus's UINT64_MAX). */
function count(v: string | undefined): number | undefined {
  return v !== undefined && /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * `--timestamp=us+utc` form ("Thu 2024-01-04 10:00:00.123456 UTC") -> seconds since the epoch, computed from
 * whole microseconds as node_exporter divides D-Bus's microseconds; 0 for an empty (never entered) timestamp.
 */
export function parseUsTimestamp(v: string): number {
  const m = /(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{6}) UTC$/.exec(v);
  if (!m) return 0;
  const seconds = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) / 1000;
  return (seconds * 1e6 + Number(m[7])) / 1e6;
}

function emitUnits(out: MetricSet, units: readonly Unit[], shown: ReadonlyMap<string, ReadonlyMap<string, string>>, keep: (name: string) => boolean): void {
  const state = out.family("node_systemd_unit_state", "gauge", "Systemd unit");
  const counts = new Map<string, number>(STATES.map((s) => [s, 0]));
  for (const u of units) {
    if (!keep(u.name)) continue;
    const type = shown.get(u.name)?.get("Type") ?? "";
    for (const s of STATES) state.add(u.active === s ? 1 : 0, { name: u.name, state: s, type });
  }
  for (const u of units) if (counts.has(u.active)) counts.set(u.active, counts.get(u.active)! + 1);
  const summary = out.family("node_systemd_units", "gauge", "Summary of systemd unit states");
  for (const [s, n] of counts) summary.add(n, { state: s });
}

/** NRestarts, TasksCurrent and TasksMax of the kept services, each left out where systemctl shows no count. */
function emitServiceCounts(out: MetricSet, services: readonly string[], shown: ReadonlyMap<string, ReadonlyMap<string, string>>, restarts: boolean, tasks: boolean): void {
  const families: [on: boolean, prop: string, name: string, type: "counter" | "gauge", help: string][] = [
    [restarts, "NRestarts", "node_systemd_service_restart_total", "counter", "Service unit count of Restart triggers"],
    [tasks, "TasksCurrent", "node_systemd_unit_tasks_current", "gauge", "Current number of tasks per Systemd unit"],
    [tasks, "TasksMax", "node_systemd_unit_tasks_max", "gauge", "Maximum number of tasks per Systemd unit"],
  ];
  for (const [on, prop, name, type, help] of families) {
    if (!on) continue;
    const fam = out.family(name, type, help);
    for (const service of services) {
      const n = count(shown.get(service)?.get(prop));
      if (n !== undefined) fam.add(n, { name: service });
    }
  }
}

export const systemd = defineCollector({
  name: "systemd",
  defaultEnabled: false,
  flags: {
    unitInclude: flag.regex("collector.systemd.unit-include", ".+", "Regexp of systemd units to include. Units must both match include and not match exclude to be included."),
    unitExclude: flag.regex("collector.systemd.unit-exclude", ".+\\.(automount|device|mount|scope|slice)", "Regexp of systemd units to exclude. Units must both match include and not match exclude to be included."),
    unitWhitelist: flag.regex("collector.systemd.unit-whitelist", "", "Deprecated: use --collector.systemd.unit-include."),
    unitBlacklist: flag.regex("collector.systemd.unit-blacklist", "", "Deprecated: use --collector.systemd.unit-exclude."),
    taskMetrics: flag.bool("collector.systemd.enable-task-metrics", false, "Service units' tasks: node_systemd_unit_tasks_current and node_systemd_unit_tasks_max."),
    restartsMetrics: flag.bool("collector.systemd.enable-restarts-metrics", false, "Service units' restarts: node_systemd_service_restart_total."),
    startTimeMetrics: flag.bool("collector.systemd.enable-start-time-metrics", false, "Units' start time: node_systemd_unit_start_time_seconds."),
    // node_exporter then talks to systemd's private socket instead of the system bus; systemctl finds its own way
    private: flag.bool("collector.systemd.private", false, "Accepted for node_exporter's command line; no effect (the agent asks systemctl)."),
    command: flag.string("collector.systemd.systemctl-command", "systemctl", "systemctl binary the collector asks for unit states."),
  },
  create: ({ config }) => ({
    async collect(out, { signal }) {
      const cmd = config.command;
      let list: { code: number; out: string };
      try {
        list = await run([cmd, "list-units", "--all", "--plain", "--no-legend", "--no-pager", "--full"], signal);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return; // no systemctl: not a systemd host
        throw e;
      }
      // "System has not been booted with systemd": nothing to report, as node_exporter without a bus.
      if (list.code !== 0) return;
      const units = parseUnits(list.out);
      const anchored = (re: RegExp | undefined) => (re ? new RegExp(`^(?:${re.source})$`) : undefined);
      // node_exporter's pre-1.0 names stand in for the new ones where they are given
      const inc = anchored(config.unitWhitelist ?? config.unitInclude);
      const exc = anchored(config.unitBlacklist ?? config.unitExclude);
      const keep = (name: string) => (!inc || inc.test(name)) && !(exc && exc.test(name));
      const services = units.filter((u) => u.name.endsWith(".service") && keep(u.name)).map((u) => u.name);
      const props = ["Id", "Type", ...(config.restartsMetrics ? ["NRestarts"] : []), ...(config.taskMetrics ? ["TasksCurrent", "TasksMax"] : [])];
      const shown = services.length ? parseShow((await run([cmd, "show", "-p", props.join(","), "--", ...services], signal)).out) : new Map<string, Map<string, string>>();
      emitUnits(out, units, shown, keep);
      if (config.restartsMetrics || config.taskMetrics) emitServiceCounts(out, services, shown, config.restartsMetrics, config.taskMetrics);
      if (config.startTimeMetrics) {
        const active = units.filter((u) => u.active === "active" && keep(u.name)).map((u) => u.name);
        const times = active.length ? parseShow((await run([cmd, "show", "--timestamp=us+utc", "-p", "Id,ActiveEnterTimestamp", "--", ...active], signal)).out) : new Map<string, Map<string, string>>();
        // every kept unit, 0 where it is not active, as node_exporter reports them
        const fam = out.family("node_systemd_unit_start_time_seconds", "gauge", "Start time of the unit since unix epoch in seconds.");
        for (const u of units) if (keep(u.name)) fam.add(u.active === "active" ? parseUsTimestamp(times.get(u.name)?.get("ActiveEnterTimestamp") ?? "") : 0, { name: u.name });
      }
      const running = await run([cmd, "is-system-running"], signal);
      out.gauge("node_systemd_system_running", "Whether the system is operational (see 'systemctl is-system-running')", running.out.trim() === "running" ? 1 : 0);
      const version = /^systemd (\d+)(?: \(([^)]+)\))?/m.exec((await run([cmd, "--version"], signal)).out);
      if (version) out.gauge("node_systemd_version", "Detected systemd version", Number(version[1]), { version: version[2] ?? version[1]! });
    },
  }),
});
