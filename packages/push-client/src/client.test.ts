/**
 * PushClient against small real HTTP servers that misbehave on purpose. The happy paths against the real
 * Pushgateway and our push role are in test/client/.
 */
import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Server } from "bun";
import { PushClient, type PushClientOptions } from "./client.ts";
import { PushError } from "./errors.ts";

interface Seen {
  method: string;
  path: string;
  body: string;
  authorization: string | null;
}

const servers: Server<undefined>[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A store that records requests and answers with the next status from `statuses` (the last one repeats). */
function store(statuses: number[] = [200], delayMs = 0) {
  const seen: Seen[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      seen.push({ method: req.method, path: url.pathname, body: await req.text(), authorization: req.headers.get("authorization") });
      if (delayMs) await Bun.sleep(delayMs);
      const status = statuses[Math.min(seen.length - 1, statuses.length - 1)]!;
      return new Response(status >= 400 ? "something broke on purpose\n" : "", { status });
    },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}`, seen };
}

function client(gateway: string, extra: Partial<PushClientOptions> = {}) {
  const warnings: string[] = [];
  const c = new PushClient({ gateway, job: "test", standardLabels: false, onWarning: (m) => warnings.push(m), ...extra });
  return { c, warnings };
}

/** A port nothing listens on: bind, note, close. */
async function deadPort(): Promise<number> {
  const s = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("") });
  const port = s.port!;
  s.stop(true);
  return port;
}

describe("requests", () => {
  test("push is PUT, pushAdd POST, delete DELETE, on the group's path with the rendered body", async () => {
    const s = store();
    const { c, warnings } = client(s.url + "/", { groupingKey: { dir: "/data" } });
    expect((await c.push([{ name: "a_bytes", value: 1 }])).ok).toBe(true);
    expect((await c.pushAdd("b 2")).ok).toBe(true);
    expect((await c.delete()).ok).toBe(true);
    expect(s.seen.map((r) => `${r.method} ${r.path}`)).toEqual([
      "PUT /metrics/job/test/dir@base64/L2RhdGE",
      "POST /metrics/job/test/dir@base64/L2RhdGE",
      "DELETE /metrics/job/test/dir@base64/L2RhdGE",
    ]);
    expect(s.seen[0]!.body).toBe("# TYPE a_bytes gauge\na_bytes 1\n");
    expect(s.seen[1]!.body).toBe("# TYPE b untyped\nb 2\n");
    expect(warnings).toEqual([]);
  });

  test("basic auth and bearer token headers", async () => {
    const s = store();
    await client(s.url, { basicAuth: { username: "alice", password: "s3cret" } }).c.delete();
    await client(s.url, { bearerToken: "tok123" }).c.delete();
    expect(s.seen[0]!.authorization).toBe("Basic " + btoa("alice:s3cret"));
    expect(s.seen[1]!.authorization).toBe("Bearer tok123");
  });

  test("metrics that break the naming rules are left out with one warning, the rest pushed", async () => {
    const s = store();
    const { c, warnings } = client(s.url);
    const r = await c.push([{ name: "latency_ms", value: 3 }, { name: "latency_seconds", value: 0.003 }]);
    expect(r.ok).toBe(true);
    expect(r.dropped).toHaveLength(1);
    expect(s.seen[0]!.body).toBe("# TYPE latency_seconds gauge\nlatency_seconds 0.003\n");
    expect(warnings).toHaveLength(1);
  });
});

describe("failures never throw and warn once", () => {
  test("connection refused: retried, then reported", async () => {
    const { c, warnings } = client(`http://127.0.0.1:${await deadPort()}`, { retries: 2 });
    const r = await c.push("a 1");
    expect(r).toMatchObject({ ok: false, failure: "network", attempts: 3, spooled: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("failed after 3 attempt(s)");
  });

  test("DNS failure", async () => {
    const { c, warnings } = client("http://no-such-host.invalid:9091", { retries: 0 });
    const r = await c.push("a 1");
    expect(r.ok).toBe(false);
    expect(r.failure).toBe("network");
    expect(warnings).toHaveLength(1);
  });

  test("a store slower than the timeout: the call ends at the timeout", async () => {
    const s = store([200], 3000);
    const { c, warnings } = client(s.url, { timeoutSeconds: 0.3 });
    const started = performance.now();
    const r = await c.push("a 1");
    // Generous bound: the budget is 0.3 s, the server answers after 3 s.
    expect(performance.now() - started).toBeLessThan(2000);
    expect(r).toMatchObject({ ok: false, failure: "timeout" });
    expect(warnings).toHaveLength(1);
  });

  test("500s are retried with backoff; a later success counts", async () => {
    const s = store([500, 503, 200]);
    const { c, warnings } = client(s.url);
    const r = await c.push("a 1");
    expect(r).toMatchObject({ ok: true, attempts: 3, status: 200 });
    expect(warnings).toEqual([]);
  });

  test("500s until the retries run out", async () => {
    const s = store([500]);
    const { c, warnings } = client(s.url, { retries: 1 });
    const r = await c.push("a 1");
    expect(r).toMatchObject({ ok: false, failure: "server", status: 500, attempts: 2 });
    expect(s.seen).toHaveLength(2);
    expect(warnings[0]).toContain("HTTP 500: something broke on purpose");
  });

  test("4xx is not retried", async () => {
    const s = store([401]);
    const { c } = client(s.url);
    const r = await c.push("a 1");
    expect(r).toMatchObject({ ok: false, failure: "rejected", status: 401, attempts: 1 });
    expect(r.error).toContain("credentials");
  });

  test("text that is not exposition format is refused before sending", async () => {
    const s = store();
    const { c, warnings } = client(s.url);
    const r = await c.push("this is not { metrics");
    expect(r).toMatchObject({ ok: false, failure: "config", attempts: 0 });
    expect(s.seen).toHaveLength(0);
    expect(warnings).toHaveLength(1);
  });

  test("a missing CA file is reported, not thrown", async () => {
    const { c } = client("https://127.0.0.1:1", { tls: { caFile: "/nonexistent/ca.pem" } });
    const r = await c.push("a 1");
    expect(r).toMatchObject({ ok: false, failure: "config" });
    expect(r.error).toContain("/nonexistent/ca.pem");
  });

  test("strict: the same failure is a thrown PushError", async () => {
    const { c, warnings } = client(`http://127.0.0.1:${await deadPort()}`, { strict: true, retries: 0 });
    const err = await c.push("a 1").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PushError);
    expect((err as PushError).kind).toBe("network");
    expect(warnings).toEqual([]);
  });
});

describe("spool", () => {
  /** A store on a port that was free a moment ago: the gateway URL stays the same across the outage. */
  function storeOn(port: number) {
    const seen: string[] = [];
    const server = Bun.serve({
      hostname: "127.0.0.1",
      port,
      async fetch(req) {
        seen.push(`${req.method} ${new URL(req.url).pathname} ${(await req.text()).trim().split("\n").pop()}`);
        return new Response("");
      },
    });
    servers.push(server);
    return seen;
  }

  test("undeliverable pushes wait, newest per group, and go out after the next success", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    dirs.push(spoolDir);
    const port = await deadPort();
    const gateway = `http://127.0.0.1:${port}`;
    const opts = { spoolDir, retries: 0 };
    const first = await client(gateway, { ...opts, job: "a" }).c.push("a 1");
    expect(first).toMatchObject({ ok: false, spooled: true });
    await client(gateway, { ...opts, job: "a" }).c.push("a 2");
    await client(gateway, { ...opts, job: "b" }).c.pushAdd("b 1");
    await client(gateway, { ...opts, job: "d" }).c.delete();
    expect(readdirSync(spoolDir)).toHaveLength(3);

    const seen = storeOn(port);
    const r = await client(gateway, { ...opts, job: "c" }).c.push("c 1");
    expect(r).toMatchObject({ ok: true, spoolDelivered: 3 });
    expect(seen).toEqual(["PUT /metrics/job/c c 1", "PUT /metrics/job/a a 2", "POST /metrics/job/b b 1", "DELETE /metrics/job/d "]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test("a successful push for a spooled group replaces the older spooled one", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    dirs.push(spoolDir);
    const port = await deadPort();
    const gateway = `http://127.0.0.1:${port}`;
    await client(gateway, { spoolDir, retries: 0 }).c.push("a 1");
    const seen = storeOn(port);
    const r = await client(gateway, { spoolDir }).c.push("a 2");
    expect(r).toMatchObject({ ok: true, spoolDelivered: 0 });
    expect(seen).toEqual(["PUT /metrics/job/test a 2"]);
    expect(readdirSync(spoolDir)).toEqual([]);
  });

  test("a spool directory that cannot be written is named in the one warning", async () => {
    const { c, warnings } = client(`http://127.0.0.1:${await deadPort()}`, { spoolDir: "/proc/no-spool-here", retries: 0 });
    const r = await c.push("a 1");
    expect(r).toMatchObject({ ok: false, spooled: false });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("could not keep it in spool /proc/no-spool-here");
  });

  test("4xx and config failures are not spooled: they would fail the same way later", async () => {
    const spoolDir = mkdtempSync(join(tmpdir(), "spool-"));
    dirs.push(spoolDir);
    const s = store([400]);
    expect((await client(s.url, { spoolDir }).c.push("a 1")).spooled).toBe(false);
    expect((await client(s.url, { spoolDir }).c.push("not metrics {")).spooled).toBe(false);
    expect(readdirSync(spoolDir)).toEqual([]);
  });
});
