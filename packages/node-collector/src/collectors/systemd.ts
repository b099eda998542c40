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

/** `systemctl show -p Id,Type` blocks ("Id=x.service\nType=simple\n\n...") -> unit name -> service type. */
function parseServiceTypes(text: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const block of text.split("\n\n")) {
    let id = "";
    let type = "";
    for (const line of lines(block)) {
      if (line.startsWith("Id=")) id = line.slice(3);
      else if (line.startsWith("Type=")) type = line.slice(5);
    }
    if (id) types.set(id, type);
  }
  return types;
}

function emitUnits(out: MetricSet, units: readonly Unit[], types: ReadonlyMap<string, string>, keep: (name: string) => boolean): void {
  const state = out.family("node_systemd_unit_state", "gauge", "Systemd unit");
  const counts = new Map<string, number>(STATES.map((s) => [s, 0]));
  for (const u of units) {
    if (!keep(u.name)) continue;
    const type = types.get(u.name) ?? "";
    for (const s of STATES) state.add(u.active === s ? 1 : 0, { name: u.name, state: s, type });
  }
  for (const u of units) if (counts.has(u.active)) counts.set(u.active, counts.get(u.active)! + 1);
  const summary = out.family("node_systemd_units", "gauge", "Summary of systemd unit states");
  for (const [s, n] of counts) summary.add(n, { state: s });
}

export const systemd = defineCollector({
  name: "systemd",
  defaultEnabled: false,
  flags: {
    unitInclude: flag.regex("collector.systemd.unit-include", ".+", "Regexp of systemd units to include. Units must both match include and not match exclude to be included."),
    unitExclude: flag.regex("collector.systemd.unit-exclude", ".+\\.(automount|device|mount|scope|slice)", "Regexp of systemd units to exclude. Units must both match include and not match exclude to be included."),
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
      const inc = anchored(config.unitInclude);
      const exc = anchored(config.unitExclude);
      const keep = (name: string) => (!inc || inc.test(name)) && !(exc && exc.test(name));
      const services = units.filter((u) => u.name.endsWith(".service") && keep(u.name)).map((u) => u.name);
      const types = services.length ? parseServiceTypes((await run([cmd, "show", "-p", "Id,Type", "--", ...services], signal)).out) : new Map<string, string>();
      emitUnits(out, units, types, keep);
      const running = await run([cmd, "is-system-running"], signal);
      out.gauge("node_systemd_system_running", "Whether the system is operational (see 'systemctl is-system-running')", running.out.trim() === "running" ? 1 : 0);
      const version = /^systemd (\d+)(?: \(([^)]+)\))?/m.exec((await run([cmd, "--version"], signal)).out);
      if (version) out.gauge("node_systemd_version", "Detected systemd version", Number(version[1]), { version: version[2] ?? version[1]! });
    },
  }),
});
