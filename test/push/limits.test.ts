/** Limits against abuse and the switches: body size (also after gzip), series per push, group count, admin API, unchecked mode. */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { concurrentChunkedPuts, startAgent, statusKiB, type RunningAgent } from "../harness/index.ts";

setDefaultTimeout(30_000);

let agent: RunningAgent;
let url: string;

beforeAll(async () => {
  agent = await startAgent({ roles: ["push"], args: ["--push.max-body-bytes=4KiB", "--push.max-series-per-push=5", "--push.max-groups=3"] });
  url = agent.urls.push!;
});

afterAll(async () => {
  await agent?.stop();
});

const send = async (path: string, body: string | Uint8Array, init: RequestInit = {}) => {
  const r = await fetch(url + path, { method: "PUT", body, ...init });
  return { status: r.status, text: await r.text() };
};
const pushedLines = async () =>
  (await fetch(`${url}/metrics`).then((r) => r.text())).split("\n").filter((l) => /^(x|big|s)\b/.test(l));

test("bodies over --push.max-body-bytes get 413, also when they only grow that big inflated", async () => {
  expect((await send("/metrics/job/a", "x 1\n")).status).toBe(200);
  const before = await pushedLines();
  const large = `big{v="${"a".repeat(5000)}"} 1\n`;
  let r = await send("/metrics/job/a", large);
  expect(r.status).toBe(413);
  expect(r.text).toContain("--push.max-body-bytes");
  r = await send("/metrics/job/a", gzipSync(large), { headers: { "Content-Encoding": "gzip" } });
  expect(r.status).toBe(413);
  expect(await pushedLines()).toEqual(before);
});

test("a chunked body (no Content-Length) over the limit gets 413 with the message, and nothing is stored", async () => {
  const before = await pushedLines();
  const [status] = await concurrentChunkedPuts(`${url}/metrics/job/a`, 1, 1 << 20);
  expect(status).toBe(413);
  const body = new ReadableStream({
    start(out) {
      out.enqueue(new TextEncoder().encode(`big{v="${"a".repeat(5000)}"} 1\n`));
      out.close();
    },
  });
  const r = await fetch(`${url}/metrics/job/a`, { method: "PUT", body });
  expect(r.status).toBe(413);
  expect(await r.text()).toContain("--push.max-body-bytes=4096");
  expect(await pushedLines()).toEqual(before);
});

test("more metrics than --push.max-series-per-push get 413", async () => {
  const r = await send("/metrics/job/a", Array.from({ length: 6 }, (_, i) => `s{i="${i}"} 1`).join("\n") + "\n");
  expect(r.status).toBe(413);
  expect(r.text).toContain("max-series-per-push");
  expect((await send("/metrics/job/a", Array.from({ length: 5 }, (_, i) => `s{i="${i}"} 1`).join("\n") + "\n")).status).toBe(200);
});

test("a full store refuses new groups with 507 and keeps serving existing ones", async () => {
  expect((await send("/metrics/job/b", "x 2\n")).status).toBe(200);
  expect((await send("/metrics/job/c", "x 3\n")).status).toBe(200);
  const before = await pushedLines();
  const r = await send("/metrics/job/d", "x 4\n");
  expect(r.status).toBe(507);
  expect(r.text).toContain("--push.max-groups");
  expect(await pushedLines()).toEqual(before);
  expect((await send("/metrics/job/c", "x 5\n")).status).toBe(200);
  expect((await fetch(`${url}/metrics/job/b`, { method: "DELETE" })).status).toBe(202);
  expect((await send("/metrics/job/d", "x 4\n")).status).toBe(200);
});

test("rejects are counted by reason; an invalid base64 job name is 400 and hangs nothing", async () => {
  expect((await send("/metrics/job@base64/!!", "x 1\n")).status).toBe(400);
  expect((await send("/metrics/job@base64/!!", "x 1\n")).status).toBe(400);
  expect((await send("/metrics/job@base64/YQ", "x 9\n")).status).toBe(200);
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  expect(text).toContain('agent_push_rejects_total{reason="too_large"} 4\n');
  expect(text).toContain('agent_push_rejects_total{reason="too_many_groups"} 1\n');
  expect(text).toContain('agent_push_rejects_total{reason="bad_path"} 2\n');
});

test("the admin API is off by default; the consistency check can be turned off (202)", async () => {
  expect((await fetch(`${url}/api/v1/admin/wipe`, { method: "PUT" })).status).toBe(404);
  const unchecked = await startAgent({ roles: ["push"], args: ["--push.disable-consistency-check", "--push.enable-admin-api"] });
  try {
    const u = unchecked.urls.push!;
    expect((await fetch(`${u}/metrics/job/a`, { method: "PUT", body: "# TYPE m counter\nm 1\n" })).status).toBe(202);
    expect((await fetch(`${u}/metrics/job/b`, { method: "PUT", body: "# TYPE m gauge\nm 1\n" })).status).toBe(202);
    expect((await fetch(`${u}/metrics/job/b`, { method: "PUT", body: "m 1" })).status).toBe(400);
    // The scrape stays valid: the member whose type disagrees is left out, never a second TYPE line.
    const text = await fetch(`${u}/metrics`).then((r) => r.text());
    expect(text.match(/^# TYPE m /gm)).toEqual(["# TYPE m "]);
    expect((await fetch(`${u}/api/v1/admin/wipe`, { method: "PUT" })).status).toBe(202);
    expect(await fetch(`${u}/metrics`).then((r) => r.text())).not.toMatch(/^m\{/m);
  } finally {
    await unchecked.stop();
  }
});

test("40 chunked 60 MiB uploads at once are refused as they arrive: memory stays bounded and stored pushes stay", async () => {
  // The default --push.max-body-bytes (16 MiB): read whole, these bodies took 2.4 GB.
  const big = await startAgent({ roles: ["push"] });
  try {
    const u = big.urls.push!;
    expect((await fetch(`${u}/metrics/job/kept`, { method: "PUT", body: "kept 1\n" })).status).toBe(200);
    await Bun.sleep(1000);
    const idleKiB = statusKiB(big.proc.pid, "VmRSS");
    const statuses = await concurrentChunkedPuts(`${u}/metrics/job/big`, 40, 60 << 20);
    // 413 once a body passes the limit; 503 once the bodies being read at once hold two bodies' worth.
    for (const s of statuses) expect([413, 503]).toContain(s as number);
    const grewMiB = (statusKiB(big.proc.pid, "VmHWM") - idleKiB) / 1024;
    expect(grewMiB).toBeLessThan(200);
    const text = await fetch(`${u}/metrics`).then((r) => r.text());
    expect(text).toMatch(/^kept\{.*\} 1$/m);
    expect(text).not.toMatch(/^big/m);
    expect((await fetch(`${u}/metrics/job/after`, { method: "PUT", body: "after 1\n" })).status).toBe(200);
  } finally {
    expect(await big.stop()).toBe(0);
  }
});
