import { expect, test } from "bun:test";
import { applyPrefix, labelProblem, nameProblem } from "./naming.ts";

test("prefix is added once", () => {
  expect(applyPrefix("etl", "rows_total")).toBe("etl_rows_total");
  expect(applyPrefix("etl", "etl_rows_total")).toBe("etl_rows_total");
  expect(applyPrefix(undefined, "rows_total")).toBe("rows_total");
});

test("snake_case, base units and _total on counters", () => {
  expect(nameProblem("backup_bytes", "gauge")).toBeUndefined();
  expect(nameProblem("rows_total", "counter")).toBeUndefined();
  expect(nameProblem("BackupBytes", "gauge")).toMatch(/snake_case/);
  expect(nameProblem("backup__bytes", "gauge")).toMatch(/snake_case/);
  expect(nameProblem("latency_ms", "gauge")).toMatch(/seconds/);
  expect(nameProblem("size_mb", "gauge")).toMatch(/bytes/);
  expect(nameProblem("disk_percent", "gauge")).toMatch(/ratio/);
  expect(nameProblem("rows", "counter")).toMatch(/_total/);
  expect(nameProblem("rows_total", "gauge")).toMatch(/counter/);
});

test("label names", () => {
  expect(labelProblem("team")).toBeUndefined();
  expect(labelProblem("__name__")).toMatch(/reserved/);
  expect(labelProblem("a-b")).toMatch(/not a valid/);
});
