/**
 * Stands in for systemd-logind, which cannot run in a test environment: owns org.freedesktop.login1 on a real
 * (test) bus and serves the Manager's ListSeats and ListSessions and each session's properties through
 * org.freedesktop.DBus.Properties, with the names, types and object paths org.freedesktop.login1(5) documents,
 * and the errors sd-bus gives for an object or property that is not there. Built on the agent's own client.
 */
import { DBusConnection, DBusError, type DBusMessage, type DBusValue, type Reply, type Variant } from "@agent/os";

const LOGIN1 = "org.freedesktop.login1";
const MANAGER_PATH = "/org/freedesktop/login1";

export interface StandInSession {
  id: string;
  uid: number;
  user: string;
  /** "" for a session on no seat (ssh). */
  seat: string;
  remote: boolean;
  type: string;
  class: string;
  /** Listed by ListSessions, but its object is gone when asked (a session that ended meanwhile). */
  gone?: boolean;
}

/** logind's object path for a session: sd-bus escapes each byte that is not a letter, or a digit after the first byte, as _xx. */
export function sessionPath(id: string): string {
  const escaped = [...Buffer.from(id)].map((b, i) => (/[A-Za-z]/.test(String.fromCharCode(b)) || (i > 0 && /[0-9]/.test(String.fromCharCode(b))) ? String.fromCharCode(b) : `_${b.toString(16).padStart(2, "0")}`)).join("");
  return `${MANAGER_PATH}/session/${escaped}`;
}

const v = (signature: string, value: DBusValue): Variant => ({ signature, value });

/** A session's org.freedesktop.login1.Session properties, the subset a session on a server has set. */
function sessionProperties(s: StandInSession): Map<string, Variant> {
  return new Map([
    ["Id", v("s", s.id)],
    ["User", v("(uo)", [s.uid, `${MANAGER_PATH}/user/_${s.uid}`])],
    ["Name", v("s", s.user)],
    ["Timestamp", v("t", 1764058443512345n)],
    ["VTNr", v("u", s.seat ? 1 : 0)],
    ["Seat", v("(so)", [s.seat, s.seat ? `${MANAGER_PATH}/seat/${s.seat}` : "/"])],
    ["TTY", v("s", s.remote ? "pts/0" : "tty1")],
    ["Remote", v("b", s.remote)],
    ["RemoteHost", v("s", s.remote ? "192.0.2.10" : "")],
    ["Service", v("s", s.remote ? "sshd" : "login")],
    ["Scope", v("s", `session-${s.id}.scope`)],
    ["Leader", v("u", 4242)],
    ["Type", v("s", s.type)],
    ["Class", v("s", s.class)],
    ["Active", v("b", true)],
    ["State", v("s", "active")],
    ["IdleHint", v("b", false)],
    ["LockedHint", v("b", false)],
  ]);
}

/** The seats and sessions behind fixtures/golden/logind.prom. */
export const FIXTURE_SEATS = ["seat0"];
export const FIXTURE_SESSIONS: StandInSession[] = [
  { id: "1", uid: 1000, user: "alice", seat: "seat0", remote: false, type: "tty", class: "user" },
  { id: "2", uid: 1000, user: "alice", seat: "seat0", remote: false, type: "wayland", class: "user" },
  { id: "c3", uid: 1001, user: "bob", seat: "", remote: true, type: "tty", class: "user" },
  // class "manager" is not one node_exporter knows: other
  { id: "c4", uid: 0, user: "root", seat: "", remote: false, type: "unspecified", class: "manager" },
  // listed, but its object is gone when asked: not counted
  { id: "gone", uid: 0, user: "root", seat: "", remote: false, type: "tty", class: "user", gone: true },
];

export interface LogindStandIn {
  stop(): void;
}

/** Connects to the bus at `address`, takes org.freedesktop.login1 and answers as logind would for these seats and sessions. */
export async function startLogindStandIn(address: string, seats: string[], sessions: StandInSession[]): Promise<LogindStandIn> {
  const abort = new AbortController();
  const byPath = new Map(sessions.filter((s) => !s.gone).map((s) => [sessionPath(s.id), sessionProperties(s)]));
  const answer = (call: DBusMessage): Reply => {
    if (call.path === MANAGER_PATH && call.interface === `${LOGIN1}.Manager`) {
      if (call.member === "ListSeats") return { signature: "a(so)", body: [seats.map((id) => [id, `${MANAGER_PATH}/seat/${id}`])] };
      if (call.member === "ListSessions") return { signature: "a(susso)", body: [sessions.map((s) => [s.id, s.uid, s.user, s.seat, sessionPath(s.id)])] };
      throw new DBusError("org.freedesktop.DBus.Error.UnknownMethod", `Unknown method ${call.member} or interface ${call.interface}.`);
    }
    const props = call.path === undefined ? undefined : byPath.get(call.path);
    if (!props) throw new DBusError("org.freedesktop.DBus.Error.UnknownObject", `Unknown object '${call.path}'.`);
    if (call.interface !== "org.freedesktop.DBus.Properties") throw new DBusError("org.freedesktop.DBus.Error.UnknownMethod", `Unknown method ${call.member} or interface ${call.interface}.`);
    const [iface, name] = call.body as [string, string | undefined];
    if (iface !== `${LOGIN1}.Session`) throw new DBusError("org.freedesktop.DBus.Error.UnknownInterface", `Unknown interface ${iface}.`);
    if (call.member === "GetAll") return { signature: "a{sv}", body: [props] };
    if (call.member !== "Get") throw new DBusError("org.freedesktop.DBus.Error.UnknownMethod", `Unknown method ${call.member}.`);
    const value = props.get(name ?? "");
    if (!value) throw new DBusError("org.freedesktop.DBus.Error.UnknownProperty", `Unknown property ${name}.`);
    return { signature: "v", body: [value] };
  };
  const conn = await DBusConnection.open({ address, signal: abort.signal, onCall: answer });
  const [reply] = await conn.call({ destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus", member: "RequestName", signature: "su", body: [LOGIN1, 4] });
  if (reply !== 1) throw new Error(`could not own ${LOGIN1} (RequestName answered ${reply})`);
  return { stop: () => abort.abort() };
}
