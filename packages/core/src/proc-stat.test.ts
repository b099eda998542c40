import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { procStatFields } from "./proc-stat.ts";

test("a command name with spaces and parentheses does not shift the fields", () => {
  const f = procStatFields("4242 (a) b (c)) S 1 4242 4242 0 -1 4194560 10 0 0 0 7 3 0 0 20 0 5 0 123 456 78\n");
  expect([f[0], f[1], f[11], f[12], f[17], f[19], f[20]]).toEqual(["S", "1", "7", "3", "5", "123", "456"]);
});

test("this process's own stat: running, at least one thread, a start time", () => {
  const f = procStatFields(readFileSync("/proc/self/stat", "latin1"));
  expect(f[0]).toMatch(/^[RS]$/);
  expect(Number(f[17])).toBeGreaterThanOrEqual(1);
  expect(Number(f[19])).toBeGreaterThan(0);
});
