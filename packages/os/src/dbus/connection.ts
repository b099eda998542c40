/**
 * A D-Bus connection over a unix socket: SASL EXTERNAL authentication, Hello on a bus, method calls matched to
 * their replies by serial, and the standard Properties interface. Its life is bound to an AbortSignal: when the
 * signal fires the socket closes and every call still waiting rejects, so a peer that never answers holds
 * nobody past the caller's deadline.
 *
 * EXTERNAL needs no ancillary data on Linux: dbus-daemon and sd-bus take the peer's identity from SO_PEERCRED,
 * and the client only names the uid it claims (Bun's sockets send no SCM_CREDENTIALS, and need not).
 */
import type { Socket } from "bun";
import { parseBusAddress } from "./address.ts";
import { DBusProtocolError, decodeMessage, encodeMessage, messageLength, MessageType, NO_REPLY_EXPECTED, type DBusMessage, type DBusValue, type Variant } from "./wire.ts";

/** An error reply: `name` is the D-Bus error name (org.freedesktop.DBus.Error.ServiceUnknown...). */
export class DBusError extends Error {
  override name = "DBusError";
  constructor(
    readonly errorName: string,
    readonly detail: string,
  ) {
    super(detail ? `${errorName}: ${detail}` : errorName);
  }
}

export interface MethodCall {
  destination?: string;
  path: string;
  interface?: string;
  member: string;
  signature?: string;
  body?: DBusValue[];
}

/** What a handler of incoming calls answers: a reply's values, or a DBusError thrown. */
export interface Reply {
  signature: string;
  body: DBusValue[];
}

export interface ConnectOptions {
  /** A D-Bus address (`unix:path=...`, `unix:abstract=...`, alternatives separated by `;`). */
  address: string;
  /** Closes the connection and fails what waits on it. */
  signal: AbortSignal;
  /** false for a peer-to-peer socket (systemd's private one) where there is no bus to say Hello to. */
  bus?: boolean;
  /** Answers method calls that peers make on this connection; without it they get UnknownMethod. */
  onCall?: (call: DBusMessage) => Reply | Promise<Reply>;
}

const DBUS = "org.freedesktop.DBus";
const PROPERTIES = `${DBUS}.Properties`;
const MAX_AUTH_LINE = 16 * 1024;
/**
 * Calls waiting for their replies at once, at most; more wait here to be sent. dbus-daemon refuses a connection
 * more than 128 pending replies (LimitsExceeded) unless its configuration allows more, as session.conf does.
 */
const MAX_IN_FLIGHT = 64;

interface Pending {
  resolve: (body: DBusValue[]) => void;
  reject: (e: Error) => void;
  what: string;
}

/** A client's claimed identity: its uid in decimal ASCII, hex-encoded, as the specification's EXTERNAL wants. */
export function externalAuthIdentity(uid: number): string {
  return Buffer.from(String(uid), "ascii").toString("hex");
}

export class DBusConnection {
  /** The name the bus gave this connection (":1.42"); undefined on a peer-to-peer socket. */
  uniqueName: string | undefined;
  private socket: Socket<undefined> | undefined;
  private serial = 0;
  private readonly pending = new Map<number, Pending>();
  /** Calls not yet sent, while MAX_IN_FLIGHT wait for replies. */
  private readonly queued: (Pending & { serial: number; bytes: Uint8Array })[] = [];
  private inbox = new Uint8Array(0);
  private outbox: Uint8Array[] = [];
  /** Who waits for the peer's next authentication line, while authentication goes on. */
  private auth: { resolve: (line: string) => void; reject: (e: Error) => void } | undefined;
  private closedBy: Error | undefined;
  private readonly onAbort = () => this.fail(abortError(this.options.signal, `D-Bus connection to ${this.options.address}`));

  private constructor(private readonly options: ConnectOptions) {}

  /** Connects, authenticates and (on a bus) says Hello; rejects with the reason when any step fails. */
  static async open(options: ConnectOptions): Promise<DBusConnection> {
    const conn = new DBusConnection(options);
    if (options.signal.aborted) throw abortError(options.signal, `D-Bus connection to ${options.address}`);
    options.signal.addEventListener("abort", conn.onAbort, { once: true });
    try {
      await conn.connect();
      await conn.authenticate();
      if (options.bus !== false) conn.uniqueName = (await conn.call({ destination: DBUS, path: "/org/freedesktop/DBus", interface: DBUS, member: "Hello" }))[0] as string;
      return conn;
    } catch (e) {
      conn.close();
      throw e;
    }
  }

  private async connect(): Promise<void> {
    let lastError: Error | undefined;
    for (const target of parseBusAddress(this.options.address)) {
      try {
        this.socket = await Bun.connect({
          unix: target.unix,
          socket: {
            data: (_s, chunk) => this.received(chunk),
            drain: () => this.flush(),
            close: () => this.fail(new Error(`D-Bus peer ${this.options.address} closed the connection`)),
            error: (_s, e) => this.fail(new Error(`D-Bus connection to ${this.options.address}: ${e.message}`)),
          },
        });
        if (this.closedBy) {
          this.socket.terminate(); // aborted while connecting
          throw this.closedBy;
        }
        return;
      } catch (e) {
        if (this.closedBy) throw this.closedBy;
        const code = (e as NodeJS.ErrnoException).code;
        lastError = new Error(`cannot connect to D-Bus at ${target.text}: ${code ?? (e as Error).message}`);
      }
    }
    throw lastError!;
  }

  private async authenticate(): Promise<void> {
    const uid = process.getuid?.() ?? 0;
    const answered = new Promise<string>((resolve, reject) => (this.auth = { resolve, reject }));
    // BEGIN goes with AUTH, as sd-bus's own client sends it (the specification allows the pipelining): systemd's
    // server (its private socket) leaves a message that reaches it in the same read as BEGIN unread until more
    // bytes come, so a first call sent after OK could wait for ever; sent this way, BEGIN is read with AUTH.
    this.write(Buffer.from(`\0AUTH EXTERNAL ${externalAuthIdentity(uid)}\r\nBEGIN\r\n`, "ascii"));
    const answer = await answered.finally(() => (this.auth = undefined));
    if (answer.startsWith("REJECTED")) throw new Error(`D-Bus peer ${this.options.address} refused EXTERNAL authentication as uid ${uid} (it offers: ${answer.slice(8).trim() || "nothing"})`);
    if (!answer.startsWith("OK ")) throw new DBusProtocolError(`D-Bus peer ${this.options.address} answered "${answer}" to AUTH`);
  }

  /** Calls a method and resolves with the reply's values; an error reply rejects with a DBusError. */
  call(m: MethodCall): Promise<DBusValue[]> {
    if (this.closedBy) return Promise.reject(this.closedBy);
    const serial = this.nextSerial();
    const what = `${m.interface ? `${m.interface}.` : ""}${m.member} on ${m.destination ?? "peer"} ${m.path}`;
    const bytes = encodeMessage({ type: MessageType.METHOD_CALL, flags: 0, serial, path: m.path, interface: m.interface, member: m.member, destination: m.destination, signature: m.signature ?? "", body: m.body ?? [] });
    return new Promise<DBusValue[]>((resolve, reject) => {
      if (this.pending.size < MAX_IN_FLIGHT) this.send(serial, bytes, { resolve, reject, what });
      else this.queued.push({ resolve, reject, what, serial, bytes });
    });
  }

  private send(serial: number, bytes: Uint8Array, p: Pending): void {
    this.pending.set(serial, p);
    this.write(bytes);
  }

  /** org.freedesktop.DBus.Properties.Get: the property's value, out of its variant. */
  async getProperty(destination: string, path: string, iface: string, name: string): Promise<DBusValue> {
    const [v] = await this.call({ destination, path, interface: PROPERTIES, member: "Get", signature: "ss", body: [iface, name] });
    return (v as Variant).value;
  }

  /** org.freedesktop.DBus.Properties.GetAll: every property of `iface`, out of their variants. */
  async getAllProperties(destination: string, path: string, iface: string): Promise<Map<string, DBusValue>> {
    const [all] = await this.call({ destination, path, interface: PROPERTIES, member: "GetAll", signature: "s", body: [iface] });
    const out = new Map<string, DBusValue>();
    for (const [k, v] of all as Map<string, Variant>) out.set(k, v.value);
    return out;
  }

  /** Whether the connection is closed (by close(), the signal, the peer or a protocol error): no call can succeed. */
  get closed(): boolean {
    return this.closedBy !== undefined;
  }

  /** Closes the socket; calls still waiting reject. Safe twice. */
  close(): void {
    this.fail(new Error(`D-Bus connection to ${this.options.address} closed`));
  }

  private nextSerial(): number {
    this.serial = this.serial >= 0xffffffff ? 1 : this.serial + 1;
    return this.serial;
  }

  private fail(e: Error): void {
    if (this.closedBy) return;
    this.closedBy = e;
    this.options.signal.removeEventListener("abort", this.onAbort);
    const waiting = [...this.pending.values(), ...this.queued];
    this.pending.clear();
    this.queued.length = 0;
    for (const p of waiting) p.reject(new Error(`${p.what}: ${e.message}`));
    this.auth?.reject(e);
    this.socket?.terminate();
    this.outbox = [];
  }

  private write(bytes: Uint8Array): void {
    this.outbox.push(bytes);
    if (this.outbox.length === 1) this.flush();
  }

  private flush(): void {
    while (this.socket && this.outbox.length && !this.closedBy) {
      const head = this.outbox[0]!;
      const n = this.socket.write(head);
      if (n < head.length) {
        this.outbox[0] = head.subarray(Math.max(0, n)); // the rest goes when the socket drains
        return;
      }
      this.outbox.shift();
    }
  }

  /**
   * Appends `chunk` to what is left unread and takes whole lines or messages off the front. Each chunk is copied
   * once, into a fresh buffer; what is taken off is dropped with subarray, so a chunk of many small replies (a
   * burst of Properties.Get answers) is not copied again per message.
   */
  private received(chunk: Uint8Array): void {
    if (this.closedBy) return;
    const joined = new Uint8Array(this.inbox.length + chunk.length);
    joined.set(this.inbox);
    joined.set(chunk, this.inbox.length);
    this.inbox = joined;
    try {
      if (this.auth) {
        const end = this.inbox.indexOf(0x0a);
        if (end < 0) {
          if (this.inbox.length > MAX_AUTH_LINE) throw new DBusProtocolError(`D-Bus peer ${this.options.address} sent an authentication line over ${MAX_AUTH_LINE} bytes`);
          return;
        }
        const line = Buffer.from(this.inbox.subarray(0, end)).toString("latin1").replace(/\r$/, "");
        this.inbox = this.inbox.subarray(end + 1);
        this.auth.resolve(line);
        return;
      }
      for (;;) {
        const length = messageLength(this.inbox);
        if (length === undefined || this.inbox.length < length) return;
        const message = decodeMessage(this.inbox.subarray(0, length));
        this.inbox = this.inbox.subarray(length);
        this.dispatch(message);
      }
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private dispatch(m: DBusMessage): void {
    if (m.type === MessageType.METHOD_RETURN || m.type === MessageType.ERROR) {
      const p = m.replySerial === undefined ? undefined : this.pending.get(m.replySerial);
      if (!p) return; // a reply to nothing we wait for (one abandoned by an earlier call)
      this.pending.delete(m.replySerial!);
      const next = this.queued.shift();
      if (next) this.send(next.serial, next.bytes, next);
      if (m.type === MessageType.METHOD_RETURN) p.resolve(m.body);
      else p.reject(new DBusError(m.errorName ?? "org.freedesktop.DBus.Error.Failed", typeof m.body[0] === "string" ? m.body[0] : ""));
    } else if (m.type === MessageType.METHOD_CALL && !(m.flags & NO_REPLY_EXPECTED)) {
      void this.answer(m);
    }
    // signals: nothing here subscribes to any
  }

  private async answer(call: DBusMessage): Promise<void> {
    const base = { flags: 0, replySerial: call.serial, destination: call.sender };
    let reply: DBusMessage;
    try {
      if (!this.options.onCall) throw new DBusError(`${DBUS}.Error.UnknownMethod`, `no method ${call.interface}.${call.member} here`);
      const r = await this.options.onCall(call);
      reply = { ...base, type: MessageType.METHOD_RETURN, serial: this.nextSerial(), signature: r.signature, body: r.body };
    } catch (e) {
      const name = e instanceof DBusError ? e.errorName : `${DBUS}.Error.Failed`;
      const text = e instanceof DBusError ? e.detail : String((e as Error)?.message ?? e);
      reply = { ...base, type: MessageType.ERROR, serial: this.nextSerial(), errorName: name, signature: "s", body: [text] };
    }
    if (!this.closedBy) this.write(encodeMessage(reply));
  }
}

function abortError(signal: AbortSignal, what: string): Error {
  const reason = signal.reason;
  return new Error(`${what} aborted${reason instanceof Error ? `: ${reason.message}` : ""}`);
}
