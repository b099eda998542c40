import { describe, expect, test } from "bun:test";
import { sparkline } from "./sparkline.ts";

/** The line path's runs, each a list of [x, y] points. */
function runs(svg: string): number[][][] {
  const d = /class="line" d="([^"]*)"/.exec(svg)![1]!;
  return d
    .split("M")
    .filter(Boolean)
    .map((run) => run.split("L").map((p) => p.split(",").map(Number)));
}

describe("sparkline", () => {
  test("draws one point per value across the full width, highest value at the top", () => {
    const [line] = runs(sparkline([0, 5, 10], "load"));
    expect(line!.map((p) => p[0])).toEqual([0, 60, 120]);
    expect(line![2]![1]).toBeLessThan(line![1]![1]!);
    expect(line![1]![1]).toBeLessThan(line![0]![1]!);
    expect(line![2]![1]).toBe(1);
  });

  test("a NaN is a gap: the line breaks there instead of dropping to zero", () => {
    const parts = runs(sparkline([1, 2, NaN, 3, 4], "rate"));
    expect(parts.length).toBe(2);
    expect(parts.map((r) => r.length)).toEqual([2, 2]);
  });

  test("with max given, a fill ratio is drawn against 100 %", () => {
    const [half] = runs(sparkline([0.5, 0.5], "fill", 1));
    const [full] = runs(sparkline([1, 1], "fill", 1));
    expect(half![0]![1]).toBeGreaterThan(full![0]![1]!);
  });

  test("no values draws nothing; the label is escaped and names the chart", () => {
    const svg = sparkline([], 'disk "sda" <read>');
    expect(runs(svg)).toEqual([]);
    expect(svg).toContain('role="img" aria-label="disk &#34;sda&#34; &#60;read&#62;"');
  });
});
