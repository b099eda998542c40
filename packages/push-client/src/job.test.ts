import { afterEach, expect, test } from "bun:test";
import type { Server } from "bun";
import { Job, timed, type Clock } from "./job.ts";

const servers: Server<undefined>[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.stop(true);
});

function capture() {
  const bodies: string[] = [];
  const methods: string[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      methods.push(req.method);
      bodies.push(await req.text());
      return new Response("");
    },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}`, bodies, methods };
}

function value(body: string, name: string): number | undefined {
  const line = body.split("\n").find((l) => l.startsWith(name + " ") || l.startsWith(name + "{"));
  return line === undefined ? undefined : Number(line.split(" ").pop());
}

const base = { job: "nightly", standardLabels: false as const, onWarning: () => {} };

test("run: pushes once with POST, duration, success and the success timestamp", async () => {
  const s = capture();
  const job = new Job({ ...base, gateway: s.url });
  const got = await job.run(async (j) => {
    j.gauge("backup_bytes", 123).counter("rows_total", 5);
    return "done";
  });
  expect(got).toBe("done");
  expect(s.methods).toEqual(["POST"]);
  const body = s.bodies[0]!;
  expect(value(body, "backup_bytes")).toBe(123);
  expect(value(body, "rows_total")).toBe(5);
  expect(value(body, "job_success")).toBe(1);
  expect(value(body, "job_duration_seconds")).toBeGreaterThanOrEqual(0);
  expect(Math.abs(value(body, "job_last_success_timestamp_seconds")! - Date.now() / 1000)).toBeLessThan(60);
  expect(body).not.toContain("job_last_failure_timestamp_seconds");
  expect(job.lastPush?.ok).toBe(true);
});

test("run: the function's own error is rethrown after the failure is pushed", async () => {
  const s = capture();
  const boom = new Error("the job's own failure");
  const err = await new Job({ ...base, gateway: s.url }).run(() => {
    throw boom;
  }).catch((e: unknown) => e);
  expect(err).toBe(boom);
  expect(value(s.bodies[0]!, "job_success")).toBe(0);
  expect(value(s.bodies[0]!, "job_last_failure_timestamp_seconds")).toBeGreaterThan(0);
  expect(s.bodies[0]).not.toContain("job_last_success_timestamp_seconds");
});

test("a clock that steps back gives a zero duration, never a negative one", async () => {
  const s = capture();
  const readings = [10_000, 4_000];
  const clock: Clock = { wallMs: () => 1_700_000_000_000, monotonicMs: () => readings.shift()! };
  await new Job({ ...base, gateway: s.url, clock }).run(() => undefined);
  expect(value(s.bodies[0]!, "job_duration_seconds")).toBe(0);
  expect(value(s.bodies[0]!, "job_last_success_timestamp_seconds")).toBe(1_700_000_000);
});

test("timed: metrics named after the function, prefixed, value returned", async () => {
  const s = capture();
  const readings = [1_000, 3_500];
  const clock: Clock = { wallMs: () => 0, monotonicMs: () => readings.shift()! };
  const got = await timed("compact_index", () => 42, { ...base, gateway: s.url, prefix: "search", clock });
  expect(got).toBe(42);
  expect(value(s.bodies[0]!, "search_compact_index_duration_seconds")).toBe(2.5);
  expect(value(s.bodies[0]!, "search_compact_index_success")).toBe(1);
});

test("the store being down changes nothing about the function's result", async () => {
  const warnings: string[] = [];
  const got = await timed("t", () => "value", { gateway: "http://127.0.0.1:1", retries: 0, onWarning: (m) => warnings.push(m) });
  expect(got).toBe("value");
  expect(warnings).toHaveLength(1);
});

test("strict: a failed push is an error after a successful run, but never hides the function's own error", async () => {
  const strict = { gateway: "http://127.0.0.1:1", retries: 0, strict: true };
  await expect(timed("t", () => 1, strict)).rejects.toThrow(/failed/);
  const own = new Error("own");
  await expect(timed("t", () => Promise.reject(own), strict)).rejects.toBe(own);
});
