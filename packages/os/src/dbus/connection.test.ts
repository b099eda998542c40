import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startDbusDaemon, type TestBus } from "../testing/dbus-daemon.ts";
import { DBusConnection, DBusError, externalAuthIdentity } from "./connection.ts";

const DBUS = { destination: "org.freedesktop.DBus", path: "/org/freedesktop/DBus", interface: "org.freedesktop.DBus" };

test("EXTERNAL names the uid as hex of its decimal digits (the specification's example: uid 0 is \"30\")", () => {
  expect(externalAuthIdentity(0)).toBe("30");
  expect(externalAuthIdentity(1000)).toBe("31303030");
});

describe("against a real dbus-daemon", () => {
  let bus: TestBus;
  beforeAll(async () => {
    bus = await startDbusDaemon();
  });
  afterAll(() => bus.stop());

  test("authenticates, says Hello, calls, reads properties with Get and GetAll", async () => {
    const conn = await DBusConnection.open({ address: bus.address, signal: new AbortController().signal });
    try {
      expect(conn.uniqueName).toMatch(/^:1\.\d+$/);
      const [id] = await conn.call({ ...DBUS, member: "GetId" });
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      const [names] = await conn.call({ ...DBUS, member: "ListNames" });
      expect(names).toContain(conn.uniqueName!);
      expect(await conn.getProperty(DBUS.destination, DBUS.path, DBUS.interface, "Features")).toContain("HeaderFiltering");
      const all = await conn.getAllProperties(DBUS.destination, DBUS.path, DBUS.interface);
      expect([...all.keys()].sort()).toContain("Interfaces");
    } finally {
      conn.close();
    }
  });

  test("an error reply rejects with its D-Bus name and message", async () => {
    const conn = await DBusConnection.open({ address: bus.address, signal: new AbortController().signal });
    try {
      const call = conn.call({ destination: "org.example.Nobody", path: "/", interface: "org.example.X", member: "Y" });
      await expect(call).rejects.toThrow(DBusError);
      await expect(call).rejects.toMatchObject({ errorName: "org.freedesktop.DBus.Error.ServiceUnknown", detail: "The name org.example.Nobody was not provided by any .service files" });
    } finally {
      conn.close();
    }
  });

  test("serves calls: busctl calls a name this client owns; concurrent calls get their own replies, whatever the order", async () => {
    const server = await DBusConnection.open({
      address: bus.address,
      signal: new AbortController().signal,
      async onCall(call) {
        if (call.member !== "Echo") throw new DBusError("org.example.Error.Nope", `no ${call.member}`);
        const [text, delayMs] = call.body as [string, number];
        await Bun.sleep(delayMs);
        return { signature: "s", body: [`echo ${text}`] };
      },
    });
    const client = await DBusConnection.open({ address: bus.address, signal: new AbortController().signal });
    try {
      expect(await server.call({ ...DBUS, member: "RequestName", signature: "su", body: ["org.example.Echo", 4] })).toEqual([1]); // primary owner
      const busctl = Bun.spawn(["busctl", `--address=${bus.address}`, "call", "org.example.Echo", "/", "org.example.Echo", "Echo", "su", "from busctl", "0"], { stdout: "pipe", stderr: "pipe" });
      expect(await new Response(busctl.stdout).text()).toBe('s "echo from busctl"\n');
      const echo = (text: string, delayMs: number) => client.call({ destination: "org.example.Echo", path: "/", interface: "org.example.Echo", member: "Echo", signature: "su", body: [text, delayMs] });
      expect(await Promise.all([echo("slow", 60), echo("fast", 0)])).toEqual([["echo slow"], ["echo fast"]]);
      await expect(client.call({ destination: "org.example.Echo", path: "/", member: "Other" })).rejects.toMatchObject({ errorName: "org.example.Error.Nope", detail: "no Other" });
    } finally {
      client.close();
      server.close();
    }
  });

  test("500 calls at once: all answered, though dbus-daemon allows a connection 128 pending replies", async () => {
    const server = await DBusConnection.open({
      address: bus.address,
      signal: new AbortController().signal,
      onCall: async (call) => {
        await Bun.sleep(20); // replies pile up at the bus meanwhile
        return { signature: "u", body: call.body };
      },
    });
    const conn = await DBusConnection.open({ address: bus.address, signal: new AbortController().signal });
    try {
      const replies = await Promise.all(Array.from({ length: 500 }, (_, i) => conn.call({ destination: server.uniqueName, path: "/", interface: "org.example.Slow", member: "Echo", signature: "u", body: [i] })));
      expect(replies).toEqual(Array.from({ length: 500 }, (_, i) => [i]));
    } finally {
      conn.close();
      server.close();
    }
  });

  test("abstract sockets: the bus's address as dbus-daemon prints it", async () => {
    const abstract = await startDbusDaemon({ abstract: true });
    try {
      expect(abstract.address).toStartWith("unix:abstract=");
      const conn = await DBusConnection.open({ address: abstract.address, signal: new AbortController().signal });
      expect(conn.uniqueName).toStartWith(":1.");
      conn.close();
    } finally {
      await abstract.stop();
    }
  });

  test("an aborted signal closes the connection and fails what waits on it; a later call fails at once", async () => {
    const stuck = await DBusConnection.open({ address: bus.address, signal: new AbortController().signal, onCall: () => new Promise(() => {}) });
    const abort = new AbortController();
    const conn = await DBusConnection.open({ address: bus.address, signal: abort.signal });
    const waiting = conn.call({ destination: stuck.uniqueName, path: "/", interface: "org.example.Stuck", member: "Never" });
    await Bun.sleep(50);
    abort.abort(new Error("scrape deadline"));
    stuck.close();
    await expect(waiting).rejects.toThrow("aborted: scrape deadline");
    await expect(conn.call({ ...DBUS, member: "GetId" })).rejects.toThrow("aborted: scrape deadline");
  });
});

describe("peers that are no D-Bus, or no bus at all", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "agent-dbus-peer-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A unix socket server that answers each connection's first bytes with `reply` (or never, when undefined). */
  function peer(name: string, reply: string | Uint8Array | undefined) {
    const events: string[] = [];
    const server = Bun.listen({
      unix: join(dir, name),
      socket: {
        open: () => void events.push("open"),
        data(s) {
          if (reply !== undefined) s.write(reply);
        },
        close: () => void events.push("close"),
      },
    });
    return { address: `unix:path=${join(dir, name)}`, events, stop: () => server.stop(true) };
  }

  test("no socket: the error names the address and ENOENT", async () => {
    await expect(DBusConnection.open({ address: `unix:path=${dir}/none`, signal: new AbortController().signal })).rejects.toThrow(`cannot connect to D-Bus at unix:path=${dir}/none: ENOENT`);
  });

  test("a peer that accepts and never answers: the signal ends the wait, and the socket is closed", async () => {
    const silent = peer("silent", undefined);
    try {
      const started = performance.now();
      await expect(DBusConnection.open({ address: silent.address, signal: AbortSignal.timeout(200) })).rejects.toThrow("aborted");
      expect(performance.now() - started).toBeLessThan(2000);
      for (let i = 0; i < 50 && !silent.events.includes("close"); i++) await Bun.sleep(10);
      expect(silent.events).toEqual(["open", "close"]);
    } finally {
      silent.stop();
    }
  });

  test("a peer that refuses EXTERNAL: the error says so and what it offers", async () => {
    const refusing = peer("refusing", "REJECTED ANONYMOUS\r\n");
    try {
      await expect(DBusConnection.open({ address: refusing.address, signal: new AbortController().signal })).rejects.toThrow("refused EXTERNAL authentication as uid");
    } finally {
      refusing.stop();
    }
  });

  test("a peer that sends garbage where messages belong: a protocol error, not a hang", async () => {
    let sent = 0;
    const server = Bun.listen({
      unix: join(dir, "garbage"),
      socket: {
        data(s) {
          s.write(sent++ === 0 ? "OK 0123456789abcdef0123456789abcdef\r\n" : "HTTP/1.1 400 Bad Request\r\n\r\n");
        },
      },
    });
    try {
      await expect(DBusConnection.open({ address: `unix:path=${join(dir, "garbage")}`, signal: AbortSignal.timeout(5000) })).rejects.toThrow("unknown byte order mark 0x48");
    } finally {
      server.stop(true);
    }
  });
});
