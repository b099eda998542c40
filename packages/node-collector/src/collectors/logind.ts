/**
 * logind sessions per seat, remote, type and class (node_exporter's logind collector, off by default), asked of
 * org.freedesktop.login1 on the system bus as node_exporter 1.8.2 asks: ListSeats, ListSessions, then each
 * session's Remote, Type and Class. A session whose properties cannot be read (it ended meanwhile) is skipped.
 */
import { DBusConnection, systemBusAddress, type DBusValue } from "@agent/os";
import { defineCollector } from "../collector.ts";

const LOGIN1 = "org.freedesktop.login1";
const MANAGER_PATH = "/org/freedesktop/login1";
// the values logind had as of systemd 229; anything else counts as "other", as in node_exporter
const REMOTE_VALUES = ["true", "false"];
const TYPE_VALUES = ["other", "unspecified", "tty", "x11", "wayland", "mir", "web"];
const CLASS_VALUES = ["other", "user", "greeter", "lock-screen", "background"];

const known = (value: string, values: string[]) => (values.includes(value) ? value : "other");

interface Session {
  seat: string;
  remote: string;
  type: string;
  class: string;
}

async function readSession(conn: DBusConnection, seat: string, path: string): Promise<Session | undefined> {
  const get = (name: string) => conn.getProperty(LOGIN1, path, `${LOGIN1}.Session`, name);
  let props: DBusValue[];
  try {
    props = await Promise.all([get("Remote"), get("Type"), get("Class")]);
  } catch (e) {
    if (conn.closed) throw e; // the scrape's deadline, or the bus gone
    return undefined;
  }
  const [remote, type, cls] = props;
  if (typeof type !== "string" || typeof cls !== "string") return undefined;
  return { seat, remote: String(remote), type: known(type, TYPE_VALUES), class: known(cls, CLASS_VALUES) };
}

export const logind = defineCollector({
  name: "logind",
  defaultEnabled: false,
  create: () => ({
    async collect(out, { signal }) {
      let conn: DBusConnection;
      try {
        conn = await DBusConnection.open({ address: systemBusAddress(), signal });
      } catch (e) {
        throw new Error(`unable to connect to dbus: ${(e as Error).message}`);
      }
      try {
        const call = async (member: string, what: string): Promise<DBusValue[][]> => {
          try {
            return (await conn.call({ destination: LOGIN1, path: MANAGER_PATH, interface: `${LOGIN1}.Manager`, member }))[0] as DBusValue[][];
          } catch (e) {
            throw new Error(`unable to get ${what}: ${(e as Error).message}`);
          }
        };
        // ListSeats: a(so); sessions on no seat (ssh) count under seat ""
        const seats = [...(await call("ListSeats", "seats")).map(([id]) => id as string), ""];
        // ListSessions: a(susso), id, uid, user name, seat id, object path
        const listed = await call("ListSessions", "sessions");
        const sessions = await Promise.all(listed.map(([, , , seat, path]) => readSession(conn, seat as string, path as string)));
        const counts = new Map<string, number>();
        const key = (s: Session) => `${s.class}\0${s.remote}\0${s.seat}\0${s.type}`;
        for (const s of sessions) if (s) counts.set(key(s), (counts.get(key(s)) ?? 0) + 1);
        // every combination, zeros included, as node_exporter writes them
        const fam = out.family("node_logind_sessions", "gauge", "Number of sessions registered in logind.");
        for (const remote of REMOTE_VALUES) for (const type of TYPE_VALUES) for (const cls of CLASS_VALUES) for (const seat of seats) fam.add(counts.get(key({ seat, remote, type, class: cls })) ?? 0, { class: cls, remote, seat, type });
      } finally {
        conn.close();
      }
    },
  }),
});
