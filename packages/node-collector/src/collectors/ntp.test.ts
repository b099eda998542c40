import { describe, expect, test } from "bun:test";
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ntp } from "./ntp.ts";
import { collectText, expectGolden, instantiate, scrapeText } from "../testing/golden.ts";

const NTP_UNIX_OFFSET = 2208988800;

/** A 64-bit NTP timestamp for a Unix time in seconds. */
function ntpTime(unixSeconds: number): bigint {
  const whole = Math.floor(unixSeconds);
  return (BigInt(whole + NTP_UNIX_OFFSET) << 32n) | BigInt(Math.round((unixSeconds - whole) * 2 ** 32));
}

interface Answer {
  leap?: number;
  stratum?: number;
  mode?: number;
  /** Unix seconds; default: 30 s ago. */
  reference?: number;
  /** Seconds the stand-in's clock runs ahead of ours. */
  skew?: number;
  echo?: boolean;
  /** Answer nothing. */
  silent?: boolean;
}

/** A UDP stand-in for ntpd: answers each client packet with a server packet in RFC 5905's layout. */
async function standIn(answer: Answer): Promise<{ port: number; seen: Buffer[]; close: () => void }> {
  const sock: Socket = createSocket("udp4");
  const seen: Buffer[] = [];
  sock.on("message", (req, from) => {
    seen.push(req);
    if (answer.silent) return;
    const now = Date.now() / 1000 + (answer.skew ?? 0);
    const p = Buffer.alloc(48);
    p[0] = ((answer.leap ?? 0) << 6) | (4 << 3) | (answer.mode ?? 4);
    p[1] = answer.stratum ?? 2;
    p[2] = 6; // poll 64 s
    p.writeInt8(-20, 3); // precision ~1 us
    p.writeUInt32BE(0x00000400, 4); // root delay 1024/65536 s
    p.writeUInt32BE(0x000007d0, 8); // root dispersion 2000/65536 s
    p.write("GPS\0", 12, "latin1");
    p.writeBigUInt64BE(ntpTime(answer.reference ?? now - 30), 16);
    if (answer.echo !== false) req.copy(p, 24, 40, 48); // origin: the client's transmit time
    p.writeBigUInt64BE(ntpTime(now), 32);
    p.writeBigUInt64BE(ntpTime(now + 0.0001), 40);
    sock.send(p, from.port, from.address);
  });
  await new Promise<void>((resolve) => sock.bind(0, "127.0.0.1", resolve));
  return { port: sock.address().port, seen, close: () => sock.close() };
}

const at = (port: number, extra: Record<string, unknown> = {}) => ({ config: { serverPort: port, ...extra } });

describe("ntp collector", () => {
  test("matches the golden file for a stand-in's answer (offset and RTT vary and are checked apart)", async () => {
    // A reference of 2026-01-01T00:00:00Z: stale by now, so the answer is not sane.
    const s = await standIn({ reference: 1767225600 });
    try {
      const text = await collectText(ntp, at(s.port));
      expectGolden("ntp", text.replace(/^node_ntp_(rtt|offset)_seconds .*$/gm, "node_ntp_$1_seconds (varies)"));
      expect(text).toMatch(/^node_ntp_sanity 0$/m);
      // The query: version 4, client mode, a random transmit time rather than the local clock.
      expect(s.seen[0]!.length).toBe(48);
      expect(s.seen[0]![0]).toBe((4 << 3) | 3);
    } finally {
      s.close();
    }
  });

  test("a fresh, synchronised local server is sane; offset and RTT are measured", async () => {
    const s = await standIn({});
    try {
      const text = await collectText(ntp, at(s.port));
      expect(text).toMatch(/^node_ntp_sanity 1$/m);
      expect(text).toMatch(/^node_ntp_stratum 2$/m);
      const offset = Number(/^node_ntp_offset_seconds (\S+)$/m.exec(text)![1]);
      const rtt = Number(/^node_ntp_rtt_seconds (\S+)$/m.exec(text)![1]);
      expect(Math.abs(offset)).toBeLessThan(0.05);
      expect(rtt).toBeGreaterThanOrEqual(0);
      expect(rtt).toBeLessThan(0.5);
    } finally {
      s.close();
    }
  });

  test("a clock 2 s off, a leap indicator of 3 or stratum 0 is reported but not sane", async () => {
    for (const answer of [{ skew: 2 }, { leap: 3 }, { stratum: 0 }] as Answer[]) {
      const s = await standIn(answer);
      try {
        const text = await collectText(ntp, at(s.port));
        expect(text).toMatch(/^node_ntp_sanity 0$/m);
        if (answer.skew) expect(Number(/^node_ntp_offset_seconds (\S+)$/m.exec(text)![1])).toBeCloseTo(2, 1);
      } finally {
        s.close();
      }
    }
  });

  test("an answer that is not the server's reply to this query fails the collector", async () => {
    for (const [answer, reason] of [[{ echo: false }, /mismatch/], [{ mode: 3 }, /invalid mode/]] as const) {
      const s = await standIn(answer);
      try {
        await expect(collectText(ntp, at(s.port))).rejects.toThrow(reason);
      } finally {
        s.close();
      }
    }
  });

  test("a silent server fails after a second; an aborted scrape gives up at once", async () => {
    const s = await standIn({ silent: true });
    try {
      const started = performance.now();
      await expect(collectText(ntp, at(s.port))).rejects.toThrow(/within 1s/);
      expect(performance.now() - started).toBeLessThan(3000);
      const abort = new AbortController();
      const pending = scrapeText(instantiate(ntp, { config: { serverPort: s.port } }), { signal: abort.signal });
      abort.abort();
      await expect(pending).rejects.toThrow(/abandoned/);
    } finally {
      s.close();
    }
  });

  test("a public server is refused unless --collector.ntp.server-is-local says it is local", async () => {
    await expect(collectText(ntp, { config: { server: "192.0.2.1" } })).rejects.toThrow(/only IP address of local NTP server/);
    await expect(collectText(ntp, { config: { server: "pool.ntp.org" } })).rejects.toThrow(/only IP address of local NTP server/);
    expect(() => ntp.flags!.protocolVersion.parse("5")).toThrow(/between 2 and 4/);
    expect(() => ntp.flags!.serverPort.parse("0")).toThrow(/>= 1/);
  });

  test.skipIf(Bun.which("chronyd") === null)("asks a real chronyd serving on a local port", async () => {
    const dir = mkdtempSync("/tmp/chrony-");
    const probe = await standIn({ silent: true });
    const port = probe.port;
    probe.close();
    writeFileSync(
      join(dir, "chrony.conf"),
      [`port ${port}`, "bindaddress 127.0.0.1", "allow 127.0.0.1", "local stratum 8", "cmdport 0", `pidfile ${dir}/chronyd.pid`, `driftfile ${dir}/drift`].join("\n") + "\n",
    );
    // -x: leave the system clock alone; -d: stay in the foreground.
    const chronyd = Bun.spawn(["chronyd", "-x", "-d", "-f", join(dir, "chrony.conf")], { stdout: "ignore", stderr: "ignore" });
    try {
      let text = "";
      for (let i = 0; i < 50 && text === ""; i++) {
        await Bun.sleep(100);
        text = await collectText(ntp, at(port)).catch(() => "");
      }
      expect(text).toMatch(/^node_ntp_stratum 8$/m);
      expect(text).toMatch(/^node_ntp_leap 0$/m);
      expect(Math.abs(Number(/^node_ntp_offset_seconds (\S+)$/m.exec(text)![1]))).toBeLessThan(0.05);
      const reference = Number(/^node_ntp_reference_timestamp_seconds (\S+)$/m.exec(text)![1]);
      expect(Math.abs(reference - Date.now() / 1000)).toBeLessThan(600);
    } finally {
      chronyd.kill("SIGTERM");
      await chronyd.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
