/**
 * logind sessions per seat, remote, type and class (node_exporter's logind collector, off by default).
 * node_exporter asks logind over D-Bus with a Go D-Bus client; the agent asks `busctl --json` on the system bus
 * (the same method calls and properties), so it needs no D-Bus implementation of its own.
 */
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";

const LOGIN1 = "org.freedesktop.login1";
const REMOTE_VALUES = ["true", "false"];
const TYPE_VALUES = ["other", "unspecified", "tty", "x11", "wayland", "mir", "web"];
const CLASS_VALUES = ["other", "user", "greeter", "lock-screen", "background"];

/** busctl's --json=short answer: one {"type", "data"} object per line. */
interface BusValue {
  type: string;
  data: unknown;
}

async function busctl(command: string, args: string[], signal: AbortSignal): Promise<BusValue[]> {
  // the environment as it is now (DBUS_SYSTEM_BUS_ADDRESS names the bus), not as the process started
  const proc = Bun.spawn([command, "--system", "--json=short", ...args], { stdout: "pipe", stderr: "pipe", stdin: "ignore", signal, env: process.env });
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  if (code !== 0) throw new Error(`${command} ${args.join(" ")}: ${err.trim() || `exit ${code}`}`);
  return out.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as BusValue);
}

const known = (value: string, values: string[]) => (values.includes(value) ? value : "other");

export const logind = defineCollector({
  name: "logind",
  defaultEnabled: false,
  flags: {
    command: flag.string("collector.logind.busctl-command", "busctl", "busctl binary the collector asks logind's D-Bus interface with."),
  },
  create: ({ config }) => ({
    async collect(out, { signal }) {
      const call = (method: string) => busctl(config.command, ["call", LOGIN1, "/org/freedesktop/login1", `${LOGIN1}.Manager`, method], signal);
      // ListSeats: a(so), seat id and object path; sessions without a seat count under seat ""
      const [seatReply] = await call("ListSeats");
      const seats = [...((seatReply?.data as [[string, string][]])?.[0] ?? []).map(([id]) => id), ""];
      // ListSessions: a(susso), id, uid, user name, seat id and object path
      const [sessionReply] = await call("ListSessions");
      const sessions = (sessionReply?.data as [[string, number, string, string, string][]])?.[0] ?? [];
      const counts = new Map<string, number>();
      for (const [, , , seat, path] of sessions) {
        let props: BusValue[];
        try {
          props = await busctl(config.command, ["get-property", LOGIN1, path, `${LOGIN1}.Session`, "Remote", "Type", "Class"], signal);
        } catch {
          continue; // a session that ended meanwhile is skipped, as node_exporter skips it
        }
        const [remote, type, cls] = props;
        if (typeof type?.data !== "string" || typeof cls?.data !== "string") continue;
        const key = [seat, String(remote?.data), known(type.data, TYPE_VALUES), known(cls.data, CLASS_VALUES)].join("\0");
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      // every combination, zeros included, as node_exporter writes them (labels sorted as client_golang sorts them)
      const rows: { class: string; remote: string; seat: string; type: string }[] = [];
      for (const remote of REMOTE_VALUES) for (const type of TYPE_VALUES) for (const cls of CLASS_VALUES) for (const seat of seats) rows.push({ class: cls, remote, seat, type });
      const key = (r: (typeof rows)[number]) => `${r.class}\0${r.remote}\0${r.seat}\0${r.type}`;
      rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      const fam = out.family("node_logind_sessions", "gauge", "Number of sessions registered in logind.");
      for (const r of rows) fam.add(counts.get([r.seat, r.remote, r.type, r.class].join("\0")) ?? 0, r);
    },
  }),
});
