import { describe, expect, test } from "bun:test";
import { parseGoFloat } from "./text-scan.ts";

describe("parseGoFloat", () => {
  test.each([
    ["1", 1],
    ["-0", -0],
    ["+1.5", 1.5],
    ["1E5", 100000],
    ["INF", Infinity],
    ["-infinity", -Infinity],
    ["1.7976931348623157e308", 1.7976931348623157e308],
  ] as Array<[string, number]>)("%s", (s, v) => {
    expect(parseGoFloat(s)).toBe(v);
  });
  test.each(["", "+", "-", "infin", "nanx", "1e+", "e5", "1.2.3", " 1", "1 ", "0b1", "1.8e308"])("rejects %p", (s) => {
    expect(parseGoFloat(s)).toBeUndefined();
  });
});

