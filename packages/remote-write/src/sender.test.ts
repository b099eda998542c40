import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@agent/core";
import { parseRemoteWrite } from "./config.ts";
import { QueueMetrics } from "./metrics.ts";
import { DiskQueue } from "./queue.ts";
import { retryAfterSeconds, Sender } from "./sender.ts";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Received {
  body: number;
  headers: Headers;
  at: number;
}

/** A receiver answering with the statuses in `script` in turn, then 204. */
function receiver(script: Array<[number, Record<string, string>?]>) {
  const got: Received[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const body = new Uint8Array(await req.arrayBuffer());
      got.push({ body: body[0]!, headers: req.headers, at: Date.now() });
      const [status, headers] = script.shift() ?? [204];
      return new Response(status === 204 ? null : `status ${status}`, { status, headers });
    },
  });
  cleanups.push(() => server.stop(true));
  return { url: `http://127.0.0.1:${server.port}/api/v1/write`, got };
}

async function sender(url: string, extra: Record<string, unknown> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "rw-sender-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const [config] = parseRemoteWrite([{ url, queue_config: { min_backoff: "10ms", max_backoff: "50ms" }, ...extra }]);
  const queue = await DiskQueue.open(dir, 1 << 20);
  const metrics = new QueueMetrics(config!.name, url);
  const lines: string[] = [];
  const s = new Sender(config!, queue, metrics, createLogger({ write: (l) => lines.push(l) }), "agent/test");
  cleanups.push(() => queue.close());
  cleanups.push(() => s.stop());
  s.start();
  const send = async (...ids: number[]) => {
    await queue.append(ids.map((id) => ({ body: new Uint8Array([id]), samples: 10, highestTimestampMs: id * 1000 })));
    s.wake();
  };
  const until = async (cond: () => boolean) => {
    for (let i = 0; i < 200 && !cond(); i++) await Bun.sleep(10);
    expect(cond()).toBe(true);
  };
  return { send, until, metrics, queue, lines };
}

describe("Sender", () => {
  test("sends with the remote write 1.0 headers and the configured auth and headers", async () => {
    const r = receiver([]);
    const dir = mkdtempSync(join(tmpdir(), "rw-pw-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "pw"), "s3cret\n");
    const s = await sender(r.url, { basic_auth: { username: "fleet", password_file: join(dir, "pw") }, headers: { "X-Scope-OrgID": "team-a" } });
    await s.send(1);
    await s.until(() => s.metrics.samplesSent === 10);
    const h = r.got[0]!.headers;
    expect(h.get("content-encoding")).toBe("snappy");
    expect(h.get("content-type")).toBe("application/x-protobuf");
    expect(h.get("x-prometheus-remote-write-version")).toBe("0.1.0");
    expect(h.get("x-scope-orgid")).toBe("team-a");
    expect(h.get("authorization")).toBe(`Basic ${btoa("fleet:s3cret")}`);
    expect(s.metrics.bytesSent).toBe(1);
    expect(s.metrics.highestSentTimestampMs).toBe(1000);
  });

  test("5xx is retried with the same request until accepted; order is kept", async () => {
    const r = receiver([[500], [503]]);
    const s = await sender(r.url);
    await s.send(1, 2);
    await s.until(() => s.metrics.samplesSent === 20);
    expect(r.got.map((g) => g.body)).toEqual([1, 1, 1, 2]);
    expect(s.metrics.samplesRetried).toBe(20);
    expect(s.queue.pendingSamples).toBe(0);
    expect(s.lines.filter((l) => l.includes("retrying"))).toHaveLength(1);
  });

  test("429 waits as long as Retry-After says", async () => {
    const r = receiver([[429, { "Retry-After": "1" }]]);
    const s = await sender(r.url);
    await s.send(1);
    await s.until(() => s.metrics.samplesSent === 10);
    expect(r.got[1]!.at - r.got[0]!.at).toBeGreaterThanOrEqual(950);
  });

  test("another 4xx drops that request, counts it, logs once, and the queue moves on", async () => {
    const r = receiver([[400], [400]]);
    const s = await sender(r.url);
    await s.send(1, 2, 3);
    await s.until(() => s.metrics.samplesSent === 10);
    expect(r.got.map((g) => g.body)).toEqual([1, 2, 3]);
    expect(s.metrics.samplesFailed).toBe(20);
    expect(s.lines.filter((l) => l.includes("refused"))).toHaveLength(1);
    expect(s.metrics.lastError).toBe("HTTP 400: status 400");
  });

  test("an unreachable receiver is retried, and nothing queued is lost", async () => {
    const s = await sender("http://127.0.0.1:1/api/v1/write");
    await s.send(1);
    await s.until(() => s.metrics.samplesRetried >= 20);
    expect(s.queue.pendingSamples).toBe(10);
  });
});

describe("Retry-After", () => {
  test("seconds or an HTTP date", () => {
    expect(retryAfterSeconds("5")).toBe(5);
    expect(retryAfterSeconds(new Date(10_000).toUTCString(), 4_000)).toBe(6);
    expect(retryAfterSeconds(null)).toBeUndefined();
    expect(retryAfterSeconds("soon")).toBeUndefined();
  });
});
