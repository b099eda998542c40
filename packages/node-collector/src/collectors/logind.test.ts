import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@agent/core";
import { startDbusDaemon, type TestBus } from "@agent/os/testing";
import { collectText, expectGolden, instantiate, promtoolProblems } from "../testing/golden.ts";
import { FIXTURE_SEATS, FIXTURE_SESSIONS, sessionPath, startLogindStandIn, type LogindStandIn } from "../testing/logind-bus.ts";
import { scrapeOnce } from "../scrape.ts";
import { logind } from "./logind.ts";

/** Runs `body` with DBUS_SYSTEM_BUS_ADDRESS set to `address`, as the collector reads it at each scrape. */
async function onBus<T>(address: string, body: () => Promise<T>): Promise<T> {
  const saved = process.env.DBUS_SYSTEM_BUS_ADDRESS;
  process.env.DBUS_SYSTEM_BUS_ADDRESS = address;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    else process.env.DBUS_SYSTEM_BUS_ADDRESS = saved;
  }
}

test("logind's session object paths, escaped as sd-bus escapes them", () => {
  expect(sessionPath("1")).toBe("/org/freedesktop/login1/session/_31");
  expect(sessionPath("c3")).toBe("/org/freedesktop/login1/session/c3");
  expect(sessionPath("c_4")).toBe("/org/freedesktop/login1/session/c_5f4");
});

describe("against a real dbus-daemon", () => {
  let bus: TestBus;
  beforeAll(async () => {
    bus = await startDbusDaemon();
  });
  afterAll(() => bus.stop());

  describe("with logind's D-Bus interface served by a stand-in", () => {
    let standIn: LogindStandIn;
    beforeAll(async () => {
      standIn = await startLogindStandIn(bus.address, FIXTURE_SEATS, FIXTURE_SESSIONS);
    });
    afterAll(() => standIn.stop());

    test("counts sessions per seat, remote, type and class, every combination written; an unknown class is other, a session gone meanwhile is not counted (golden)", async () => {
      const text = await onBus(bus.address, () => collectText(logind));
      expectGolden("logind", text);
      expect(text).toContain('node_logind_sessions{class="user",remote="false",seat="seat0",type="tty"} 1\n');
      expect(text).toContain('node_logind_sessions{class="user",remote="true",seat="",type="tty"} 1\n');
      expect(text).toContain('node_logind_sessions{class="other",remote="false",seat="",type="unspecified"} 1\n');
      expect(text.split("\n").filter((l) => l.startsWith("node_logind_sessions{")).length).toBe(2 * 7 * 5 * 2);
      expect(promtoolProblems(text)).toEqual([]);
    });

    test("busctl reads the stand-in as it reads logind (the names and types are logind's)", async () => {
      const busctl = (...args: string[]) => Bun.spawn(["busctl", `--address=${bus.address}`, ...args], { stdout: "pipe" }).stdout;
      expect(await new Response(busctl("call", "org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "ListSeats")).text()).toBe('a(so) 1 "seat0" "/org/freedesktop/login1/seat/seat0"\n');
      expect(await new Response(busctl("get-property", "org.freedesktop.login1", "/org/freedesktop/login1/session/c3", "org.freedesktop.login1.Session", "Remote", "Type", "Class", "Seat")).text()).toBe('b true\ns "tty"\ns "user"\n(so) "" "/"\n');
    });
  });

  test("a bus without logind: the collector fails with the bus's reason (success 0)", async () => {
    await expect(onBus(bus.address, () => collectText(logind))).rejects.toThrow("unable to get seats: org.freedesktop.DBus.Error.ServiceUnknown: The name org.freedesktop.login1 was not provided by any .service files");
  });
});

describe("a bus that accepts the connection and never answers", () => {
  let dir: string;
  let server: ReturnType<typeof Bun.listen>;
  const closed: string[] = [];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "agent-silent-bus-"));
    server = Bun.listen({ unix: join(dir, "bus"), socket: { data() {}, close: () => void closed.push("closed") } });
  });
  afterAll(() => {
    server.stop(true);
    rmSync(dir, { recursive: true, force: true });
  });

  test("the scrape ends at its deadline: success 0, one log line, the connection closed", async () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", write: (line) => lines.push(line) });
    const started = performance.now();
    const { results, sets } = await onBus(`unix:path=${join(dir, "bus")}`, () => scrapeOnce([{ collector: logind, instance: instantiate(logind) }], 300, log));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(results.map((r) => [r.name, r.success])).toEqual([["logind", false]]);
    expect(sets[0]!.render()).toBe("");
    expect(lines.length).toBe(1);
    expect(lines[0]).toContain("collector failed");
    expect(lines[0]).toContain("collector=logind");
    for (let i = 0; i < 50 && closed.length === 0; i++) await Bun.sleep(10);
    expect(closed).toEqual(["closed"]);
  });
});

test("no bus at all: success 0 with the reason, as node_exporter's unable to connect to dbus", async () => {
  await expect(onBus("unix:path=/nonexistent/bus", () => collectText(logind))).rejects.toThrow("unable to connect to dbus: cannot connect to D-Bus at unix:path=/nonexistent/bus: ENOENT");
});
