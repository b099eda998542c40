import { expect, test } from "bun:test";
import { BadRequest, ConfigError } from "@agent/core";
import { parseTtlRules, TtlPolicy } from "./ttl.ts";

test("header beats rules beats default; rules are anchored and the first match wins", () => {
  const rules = parseTtlRules([
    { match: { job: "ci-.*" }, ttl: "2h" },
    { match: { job: "ci-nightly", env: "prod|" }, ttl: "1d" },
    { match: { job: "batch" }, ttl: 0 },
  ]);
  const p = new TtlPolicy(60, rules);
  expect(p.ttlFor({ job: "ci-nightly" }, undefined)).toBe(7200);
  expect(p.ttlFor({ job: "xci-1" }, undefined)).toBe(60);
  expect(p.ttlFor({ job: "batch" }, undefined)).toBe(0);
  expect(p.ttlFor({ job: "batch" }, "90s")).toBe(90);
  // A bad header is the client's error (400), never a ConfigError (which means exit 2).
  expect(() => p.ttlFor({ job: "batch" }, "soon")).toThrow(BadRequest);
  expect(() => p.ttlFor({ job: "batch" }, "soon")).not.toThrow(ConfigError);
});

test("bad rules name what is wrong", () => {
  expect(() => parseTtlRules({})).toThrow("expected a list");
  expect(() => parseTtlRules([{ match: { job: "(" }, ttl: "1h" }])).toThrow("match.job");
  expect(() => parseTtlRules([{ match: { job: "x" }, ttl: "later" }])).toThrow("ttl");
  expect(() => parseTtlRules([{ match: { job: "x" }, ttl: "1h", extra: 1 }])).toThrow('unknown key "extra"');
});
