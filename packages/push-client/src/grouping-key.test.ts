import { describe, expect, test } from "bun:test";
import { PushError } from "./errors.ts";
import { groupingPath, normalizeGatewayUrl } from "./grouping-key.ts";

describe("groupingPath", () => {
  test("plain values are path segments, URL-escaped", () => {
    expect(groupingPath("etl", { instance: "db 1", env: "prod" })).toBe("/metrics/job/etl/instance/db%201/env/prod");
  });

  test("a value with / is base64url with the @base64 suffix", () => {
    expect(groupingPath("etl", { path: "/var/tmp" })).toBe("/metrics/job/etl/path@base64/L3Zhci90bXA");
    expect(groupingPath("a/b")).toBe("/metrics/job@base64/YS9i");
  });

  test("an empty value is sent as the padding-only encoding", () => {
    expect(groupingPath("etl", { shard: "" })).toBe("/metrics/job/etl/shard@base64/=");
  });

  test("non-ASCII values survive base64 as UTF-8", () => {
    const path = groupingPath("etl", { dir: "/tmp/ü" });
    const encoded = path.split("/").pop()!;
    expect(Buffer.from(encoded, "base64url").toString("utf8")).toBe("/tmp/ü");
  });

  test("bad keys are config errors naming the label", () => {
    expect(() => groupingPath("")).toThrow(PushError);
    expect(() => groupingPath("etl", { "bad-name": "x" })).toThrow(/bad-name/);
    expect(() => groupingPath("etl", { __reserved: "x" })).toThrow(/__reserved/);
    expect(() => groupingPath("etl", { job: "x" })).toThrow(/job/);
  });
});

describe("normalizeGatewayUrl", () => {
  test("drops trailing slashes, keeps a path prefix", () => {
    expect(normalizeGatewayUrl("http://gw:9091/")).toBe("http://gw:9091");
    expect(normalizeGatewayUrl("https://gw/pushgateway/")).toBe("https://gw/pushgateway");
  });

  test("refuses what is not an http(s) URL", () => {
    expect(() => normalizeGatewayUrl("gw:9091")).toThrow(/http/);
    expect(() => normalizeGatewayUrl("not a url")).toThrow(/not a URL/);
  });
});
