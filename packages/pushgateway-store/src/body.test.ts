import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { parseText, PROTOBUF_DELIMITED_CONTENT_TYPE } from "@agent/core";
import { encodeDelimited } from "@agent/core/testing";
import { BodyBudget, isProtobufDelimited, readPushBody } from "./body.ts";
import { PushRejected } from "./push-rejected.ts";

const req = (body: string | Uint8Array, headers: Record<string, string> = {}) => new Request("http://x/metrics/job/j", { method: "PUT", body, headers });

test("the protobuf Content-Type is recognised as Pushgateway checks it, anything else is text", () => {
  expect(isProtobufDelimited(PROTOBUF_DELIMITED_CONTENT_TYPE)).toBe(true);
  expect(isProtobufDelimited('Application/Vnd.Google.Protobuf; encoding="delimited"; proto=io.prometheus.client.MetricFamily')).toBe(true);
  expect(isProtobufDelimited("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily")).toBe(false);
  expect(isProtobufDelimited("text/plain; version=0.0.4")).toBe(false);
  expect(isProtobufDelimited(null)).toBe(false);
});

test("text, gzip and protobuf bodies parse to the same families", async () => {
  const text = "# TYPE a counter\na{x=\"1\"} 2\n";
  const want = parseText(text);
  expect(await readPushBody(req(text), 1024, new BodyBudget(1024))).toEqual(want);
  expect(await readPushBody(req(gzipSync(text), { "Content-Encoding": "gzip" }), 1024, new BodyBudget(1024))).toEqual(want);
  expect(await readPushBody(req(encodeDelimited(want), { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE }), 1024, new BodyBudget(1024))).toEqual(want);
});

test("size limits hold before and after inflating; bad encodings and bytes are 4xx", async () => {
  const reason = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (e) {
      return [(e as PushRejected).status, (e as PushRejected).reason];
    }
    return "accepted";
  };
  const budget = new BodyBudget(64);
  const read = (r: Request, max = 64) => readPushBody(r, max, budget);
  expect(await reason(read(req("x 1\n".repeat(100))))).toEqual([413, "too_large"]);
  expect(await reason(read(req(gzipSync("x 1\n".repeat(100)), { "Content-Encoding": "gzip" })))).toEqual([413, "too_large"]);
  expect(await reason(read(req("junk", { "Content-Encoding": "gzip" })))).toEqual([400, "bad_encoding"]);
  expect(await reason(read(req("x 1\n", { "Content-Encoding": "br" })))).toEqual([415, "bad_encoding"]);
  expect(await reason(read(req(new Uint8Array([120, 32, 0xff, 10]))))).toEqual([400, "parse"]);
  expect(await reason(read(req("x 1")))).toEqual([400, "parse"]);
});

/** A body that arrives in `parts`, with no Content-Length, as a chunked upload does. */
const chunked = (parts: string[]) =>
  new Request("http://x/metrics/job/j", {
    method: "PUT",
    body: new ReadableStream({
      start(out) {
        for (const p of parts) out.enqueue(new TextEncoder().encode(p));
        out.close();
      },
    }),
  });

test("a body without Content-Length is refused once its running count passes the limit, and the budget is given back", async () => {
  const budget = new BodyBudget(64);
  const refused = await readPushBody(chunked(["x 1\n".repeat(10), "x 1\n".repeat(10)]), 64, budget).catch((e: PushRejected) => e);
  expect(refused).toBeInstanceOf(PushRejected);
  expect((refused as PushRejected).status).toBe(413);
  // Everything taken was given back: the whole budget fits again.
  expect(budget.take(budget.maxBytes)).toBe(true);
});

test("bodies read at once share one budget; past it a push is refused with 503, and room comes back", async () => {
  const budget = new BodyBudget(16);
  expect(budget.maxBytes).toBe(BodyBudget.FULL_BODIES * 16);
  expect(budget.take(budget.maxBytes - 3)).toBe(true);
  const refused = await readPushBody(chunked(["x 1\n"]), 16, budget).catch((e: PushRejected) => e);
  expect((refused as PushRejected).status).toBe(503);
  expect((refused as PushRejected).message).toContain("--push.max-body-bytes");
  budget.give(budget.maxBytes - 3);
  expect(await readPushBody(chunked(["x 1\n"]), 16, budget)).toEqual(parseText("x 1\n"));
});
