import { expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import { encodeDelimited, parseText, PROTOBUF_DELIMITED_CONTENT_TYPE } from "@agent/core";
import { isProtobufDelimited, readPushBody } from "./body.ts";
import { PushRejected } from "./families.ts";

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
  expect(await readPushBody(req(text), 1024)).toEqual(want);
  expect(await readPushBody(req(gzipSync(text), { "Content-Encoding": "gzip" }), 1024)).toEqual(want);
  expect(await readPushBody(req(encodeDelimited(want), { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE }), 1024)).toEqual(want);
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
  expect(await reason(readPushBody(req("x 1\n".repeat(100)), 64))).toEqual([413, "too_large"]);
  expect(await reason(readPushBody(req(gzipSync("x 1\n".repeat(100)), { "Content-Encoding": "gzip" }), 64))).toEqual([413, "too_large"]);
  expect(await reason(readPushBody(req("junk", { "Content-Encoding": "gzip" }), 64))).toEqual([400, "bad_encoding"]);
  expect(await reason(readPushBody(req("x 1\n", { "Content-Encoding": "br" }), 64))).toEqual([415, "bad_encoding"]);
  expect(await reason(readPushBody(req(new Uint8Array([120, 32, 0xff, 10])), 64))).toEqual([400, "parse"]);
  expect(await reason(readPushBody(req("x 1"), 64))).toEqual([400, "parse"]);
});
