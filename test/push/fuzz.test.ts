/**
 * Fuzz: thousands of random and mutated bodies and paths. Never a 5xx, never a crash, and every refused
 * push leaves the stored data exactly as it was (push times aside: a refused push may record its failure).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { parseText, PROTOBUF_DELIMITED_CONTENT_TYPE } from "../../packages/core/src/index.ts";
import { encodeDelimited } from "../../packages/core/src/testing/encode-delimited.ts";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { OWN_FAMILY } from "./pushgateway.ts";

setDefaultTimeout(120_000);

const ROUNDS = 2500;

let agent: RunningAgent;
beforeAll(async () => {
  agent = await startAgent({ roles: ["push"], args: ["--push.max-body-bytes=64KiB"] });
});
afterAll(async () => {
  await agent?.stop();
});

/** mulberry32: a seeded generator, so a failure replays. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEEDS = [
  "# HELP fz_total Counter.\n# TYPE fz_total counter\nfz_total{a=\"1\"} 3\nfz_total{a=\"2\"} 4\n",
  "# TYPE fz_g gauge\nfz_g -1.5e3\nfz_g{x=\"y\\\\z\\\"q\\n\"} NaN\n",
  "# TYPE fz_h histogram\nfz_h_bucket{le=\"0.5\"} 1\nfz_h_bucket{le=\"+Inf\"} 2\nfz_h_sum 0.7\nfz_h_count 2\n",
  "# TYPE fz_s summary\nfz_s{quantile=\"0.5\"} 1\nfz_s_sum 2\nfz_s_count 3\n",
  "fz_u 1\nfz_u{b=\"ü🙂\"} +Inf\n",
  "# TYPE fz_total gauge\nfz_total 1\n",
];
const NOISE = ["{", "}", '"', "\\", "\n", " ", "#", "=", ",", "a", "1", ".", "e", "+", "-", "ÿ", "\u0000", "é", "🙂", "le", "_sum", " 1700000000000", "# TYPE ", "histogram", "__"];

function mutate(r: () => number, text: string): string {
  let s = text;
  const n = 1 + Math.floor(r() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(r() * (s.length + 1));
    switch (Math.floor(r() * 6)) {
      case 0:
        s = s.slice(0, at) + NOISE[Math.floor(r() * NOISE.length)] + s.slice(at);
        break;
      case 1:
        s = s.slice(0, at) + s.slice(at + 1 + Math.floor(r() * 8));
        break;
      case 2:
        s = s.slice(0, at) + s.slice(at, at + 20) + s.slice(at);
        break;
      case 3:
        s = s.replace(/\n$/, "");
        break;
      case 4:
        s = s + SEEDS[Math.floor(r() * SEEDS.length)];
        break;
      default:
        s = s.slice(0, at) + String.fromCharCode(Math.floor(r() * 0x3000)) + s.slice(at + 1);
    }
  }
  return s;
}

function path(r: () => number): string {
  const job = `fz${Math.floor(r() * 4)}`;
  const pick = r();
  if (pick < 0.6) return `/metrics/job/${job}` + (r() < 0.5 ? `/inst/i${Math.floor(r() * 3)}` : "");
  const segs = ["job", job, "a", "b", "c@base64", "YQ", "__x", "1bad", "%2F", "%ZZ", "job@base64", "!!", "=", "ü", "", "%F0%9F%99%82"];
  let p = "/metrics";
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) p += "/" + segs[Math.floor(r() * segs.length)];
  return p;
}

async function snapshot(url: string): Promise<string> {
  const text = await fetch(`${url}/metrics`).then((x) => x.text());
  return text
    .split("\n")
    .filter((l) => {
      const name = /^(?:# (?:HELP|TYPE) )?([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(l)?.[1] ?? "";
      return name !== "" && !OWN_FAMILY.test(name) && !name.startsWith("push_");
    })
    .join("\n");
}

test(`${ROUNDS} random pushes: no 5xx, no crash, refused pushes change nothing`, async () => {
  const url = agent.urls.push!;
  const r = rng(20241122);
  let before = await snapshot(url);
  const statuses = new Map<number, number>();
  for (let i = 0; i < ROUNDS; i++) {
    const seed = SEEDS[Math.floor(r() * SEEDS.length)]!;
    const kind = r();
    let body: string | Uint8Array = r() < 0.2 ? seed : mutate(r, seed);
    const headers: Record<string, string> = {};
    if (kind < 0.1) {
      body = new Uint8Array(Array.from({ length: Math.floor(r() * 200) }, () => Math.floor(r() * 256)));
    } else if (kind < 0.2) {
      headers["Content-Type"] = PROTOBUF_DELIMITED_CONTENT_TYPE;
      const bytes = encodeDelimited(parseText(seed));
      for (let k = 0; k < 1 + r() * 3; k++) bytes[Math.floor(r() * bytes.length)] = Math.floor(r() * 256);
      body = bytes;
    } else if (kind < 0.3) {
      headers["Content-Encoding"] = "gzip";
      const z = gzipSync(body as string);
      if (r() < 0.5) z[Math.floor(r() * z.length)] = Math.floor(r() * 256);
      body = z;
    }
    const p = path(r);
    const method = r() < 0.5 ? "PUT" : "POST";
    const res = await fetch(url + p, { method, body, headers });
    await res.arrayBuffer();
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    if (res.status >= 500) throw new Error(`round ${i}: ${method} ${p} answered ${res.status}`);
    const after = await snapshot(url);
    if (res.status >= 300) {
      if (after !== before) throw new Error(`round ${i}: refused ${method} ${p} (${res.status}) changed the store (${JSON.stringify(headers)}):\n${typeof body === "string" ? body : Buffer.from(body).toString("hex")}\nBEFORE\n${before}\nAFTER\n${after}`);
    }
    before = after;
  }
  expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
  expect(agent.proc.exitCode).toBeNull();
  // The run exercised both sides: accepted pushes and refusals.
  expect(statuses.get(200) ?? 0).toBeGreaterThan(ROUNDS / 10);
  expect(statuses.get(400) ?? 0).toBeGreaterThan(ROUNDS / 10);
});
