/**
 * One SNTP query to a local NTP server per scrape (node_exporter's ntp collector, deprecated in 1.8.2 but still
 * accepted), with the sanity heuristics of RFC 5905 that node_exporter applies through beevik/ntp.
 */
import { createSocket } from "node:dgram";
import { isIP } from "node:net";
import { randomBytes } from "node:crypto";
import { ConfigError, flag, type FlagSpec } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { warnDeprecated } from "../deprecated.ts";

/** Seconds from the NTP era's start (1900) to the Unix epoch. */
const NTP_UNIX_OFFSET = 2208988800n;
const NS = 1_000_000_000n;
/** beevik/ntp's limits: a reference older than 2^17 s is stale; root distance above 16 s is unusable. */
const MAX_POLL_INTERVAL_NS = (1n << 17n) * NS;
const MAX_DISPERSION_NS = 16n * NS;
const DAY_NS = 86400n * NS;
/** node_exporter waits a second, as ntpdate does. */
const TIMEOUT_MS = 1000;

/** An integer flag limited to [min, max], rejected when the command line is read. */
function boundedInt(name: string, def: number, min: number, max: number, help: string): FlagSpec<number> {
  const base = flag.int(name, def, help, min);
  return {
    ...base,
    parse: (raw) => {
      const v = base.parse(raw);
      if (v > max) throw new ConfigError(`--${name}: ${v} must be between ${min} and ${max}`);
      return v;
    },
  };
}

/** A 64-bit NTP timestamp (seconds since 1900, 32.32 fixed point) as Unix nanoseconds, rounded as beevik/ntp does. */
function ntpToUnixNs(t: bigint): bigint {
  const frac = (t & 0xffffffffn) * NS;
  const nsec = (frac >> 32n) + ((frac & 0xffffffffn) >= 0x80000000n ? 1n : 0n);
  return ((t >> 32n) - NTP_UNIX_OFFSET) * NS + nsec;
}

/** Unix nanoseconds as a 64-bit NTP timestamp, and back: the precision the protocol carries. */
function unixNsToNtp(ns: bigint): bigint {
  const total = ns + NTP_UNIX_OFFSET * NS;
  const sec = total / NS;
  const rest = (total - sec * NS) << 32n;
  return (sec << 32n) | (rest / NS + (rest % NS >= NS / 2n ? 1n : 0n));
}

/** A 32-bit NTP short (16.16 seconds) as nanoseconds. */
function shortToNs(t: number): bigint {
  const frac = BigInt(t & 0xffff) * NS;
  return BigInt(t >>> 16) * NS + (frac >> 16n) + ((frac & 0xffffn) >= 0x8000n ? 1n : 0n);
}

function nowNs(): bigint {
  return BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
}

const seconds = (ns: bigint) => Number(ns) / 1e9;

/** Sends one client packet and returns the server's answer with the local send and receive times. */
function query(host: string, port: number, version: number, ttl: number, signal: AbortSignal): Promise<{ packet: Buffer; sent: bigint; received: bigint; nonce: bigint }> {
  const req = Buffer.alloc(48);
  req[0] = (0 << 6) | (version << 3) | 3; // no leap warning, version, mode 3 (client)
  req[2] = 0x20;
  // A random transmit time, which the server echoes as its origin time: the answer is known to be ours, and
  // the query does not tell the network the local clock.
  const nonceBytes = randomBytes(8);
  nonceBytes.copy(req, 40);
  const nonce = nonceBytes.readBigUInt64BE(0);
  const sock = createSocket(isIP(host) === 6 ? "udp6" : "udp4");
  return new Promise((resolve, reject) => {
    let sent = 0n;
    const finish = (err: Error | null, packet?: Buffer) => {
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      sock.close();
      if (err) reject(err);
      else resolve({ packet: packet!, sent, received: nowNs(), nonce });
    };
    const onAbort = () => finish(new Error("query abandoned: the scrape's deadline passed"));
    const timer = setTimeout(() => finish(new Error(`no answer from ${host}:${port} within 1s`)), TIMEOUT_MS);
    signal.addEventListener("abort", onAbort);
    sock.on("error", (e) => finish(e));
    sock.on("message", (msg) => finish(null, msg));
    sock.connect(port, host, () => {
      try {
        sock.setTTL(ttl);
      } catch (e) {
        return finish(e as Error);
      }
      sent = nowNs();
      sock.send(req, (e) => e && finish(e));
    });
  });
}

export const ntp = defineCollector({
  name: "ntp",
  defaultEnabled: false,
  flags: {
    server: flag.string("collector.ntp.server", "127.0.0.1", "NTP server to use for ntp collector"),
    serverPort: boundedInt("collector.ntp.server-port", 123, 1, 65535, "UDP port number to connect to on NTP server"),
    protocolVersion: boundedInt("collector.ntp.protocol-version", 4, 2, 4, "NTP protocol version"),
    serverIsLocal: flag.bool("collector.ntp.server-is-local", false, "Certify that collector.ntp.server address is not a public ntp server"),
    ipTtl: boundedInt("collector.ntp.ip-ttl", 1, 1, 255, "IP TTL to use while sending NTP query"),
    maxDistance: flag.duration("collector.ntp.max-distance", 3.46608, "Max accumulated distance to the root"),
    localOffsetTolerance: flag.duration("collector.ntp.local-offset-tolerance", 0.001, "Offset between local clock and local ntpd time to tolerate"),
  },
  create({ config, log }) {
    warnDeprecated("ntp", log);
    /** Midnight (UTC) after the day a server last announced a leap second; the offset tolerance grows by 1 s near it. */
    let leapMidnightNs: bigint | undefined;
    return {
      async collect(out, { signal }) {
        // Asking a public server on every scrape would abuse it; node_exporter refuses to start, we refuse to ask.
        const loopback = /^127\./.test(config.server) || config.server === "::1";
        if (!config.serverIsLocal && (isIP(config.server) === 0 || !loopback)) {
          throw new Error("only IP address of local NTP server is valid for --collector.ntp.server");
        }
        let r: Awaited<ReturnType<typeof query>>;
        try {
          r = await query(config.server, config.serverPort, config.protocolVersion, config.ipTtl, signal);
        } catch (e) {
          throw new Error(`couldn't get SNTP reply: ${(e as Error).message}`);
        }
        const p = r.packet;
        if (p.length < 48) throw new Error(`couldn't get SNTP reply: ${p.length}-byte answer`);
        const leap = p[0]! >> 6;
        const stratum = p[1]!;
        const rootDelay = shortToNs(p.readUInt32BE(4));
        const rootDispersion = shortToNs(p.readUInt32BE(8));
        const refNtp = p.readBigUInt64BE(16);
        const originNtp = p.readBigUInt64BE(24);
        const recNtp = p.readBigUInt64BE(32);
        const xmtNtp = p.readBigUInt64BE(40);
        if ((p[0]! & 7) !== 4) throw new Error("couldn't get SNTP reply: invalid mode in response");
        if (xmtNtp === 0n) throw new Error("couldn't get SNTP reply: invalid transmit time in response");
        if (originNtp !== r.nonce) throw new Error("couldn't get SNTP reply: server response mismatch");
        if (recNtp > xmtNtp) throw new Error("couldn't get SNTP reply: server clock ticked backwards");

        // T1..T4 of RFC 5905 at the protocol's precision, in Unix nanoseconds.
        const org = ntpToUnixNs(unixNsToNtp(r.sent));
        const dst = ntpToUnixNs(unixNsToNtp(r.received));
        const rec = ntpToUnixNs(recNtp);
        const xmt = ntpToUnixNs(xmtNtp);
        const ref = ntpToUnixNs(refNtp);
        const offset = (rec - org + (xmt - dst)) / 2n;
        let rtt = dst - org - (xmt - rec);
        if (rtt < 0n) rtt = 0n;
        const minError = [org >= rec ? org - rec : 0n, xmt >= dst ? xmt - dst : 0n].reduce((a, b) => (a > b ? a : b));
        const rootDistance = (rtt + rootDelay) / 2n + rootDispersion;

        out.gauge("node_ntp_stratum", "NTPD stratum.", stratum);
        out.gauge("node_ntp_leap", "NTPD leap second indicator, 2 bits.", leap);
        out.gauge("node_ntp_rtt_seconds", "RTT to NTPD.", seconds(rtt));
        out.gauge("node_ntp_offset_seconds", "ClockOffset between NTP and local clock.", seconds(offset));
        out.gauge("node_ntp_reference_timestamp_seconds", "NTPD ReferenceTime, UNIX timestamp.", ref >= NS ? seconds(ref) : 0);
        out.gauge("node_ntp_root_delay_seconds", "NTPD RootDelay.", seconds(rootDelay));
        out.gauge("node_ntp_root_dispersion_seconds", "NTPD RootDispersion.", seconds(rootDispersion));

        let maxErr = BigInt(Math.round(config.localOffsetTolerance * 1e9));
        if (leap === 1 || leap === 2) leapMidnightNs = xmt - (((xmt % DAY_NS) + DAY_NS) % DAY_NS) + DAY_NS;
        if (leapMidnightNs !== undefined && leapMidnightNs - DAY_NS < xmt && xmt < leapMidnightNs + DAY_NS) maxErr += NS;
        // RFC 5905's checks as beevik/ntp makes them: a usable stratum, a fresh reference, a bounded distance, a
        // transmit time not before the reference, and a clock in sync.
        const valid =
          stratum !== 0 && stratum < 16 && xmt - ref <= MAX_POLL_INTERVAL_NS && rootDelay / 2n + rootDispersion <= MAX_DISPERSION_NS && xmt >= ref && leap !== 3;
        const sane = valid && rootDistance <= BigInt(Math.round(config.maxDistance * 1e9)) && minError <= maxErr;
        out.gauge("node_ntp_sanity", "NTPD sanity according to RFC5905 heuristics and configured limits.", sane ? 1 : 0);
      },
    };
  },
});
