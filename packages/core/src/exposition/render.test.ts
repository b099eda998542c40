import { describe, expect, test } from "bun:test";
import { formatValue } from "./render.ts";

describe("formatValue", () => {
  test.each([
    [0, "0"],
    [-0, "0"],
    [1, "1"],
    [0.5, "0.5"],
    [0.0001, "0.0001"],
    [0.00001, "1e-05"],
    [123456, "123456"],
    [1e6, "1e+06"],
    [1234567, "1.234567e+06"],
    [2.5e-10, "2.5e-10"],
    [1e100, "1e+100"],
    [-1.5e7, "-1.5e+07"],
    [Infinity, "+Inf"],
    [-Infinity, "-Inf"],
    [NaN, "NaN"],
  ] as Array<[number, string]>)("%p -> %s", (v, s) => {
    expect(formatValue(v)).toBe(s);
  });
});
