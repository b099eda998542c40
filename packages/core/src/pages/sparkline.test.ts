import { describe, expect, test } from "bun:test";
import { niceCeiling, sparkline } from "./sparkline.ts";

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
    const [half] = runs(sparkline([0.5, 0.5], "fill", { max: 1 }));
    const [full] = runs(sparkline([1, 1], "fill", { max: 1 }));
    expect(half![0]![1]).toBeGreaterThan(full![0]![1]!);
  });

  test("no values draws nothing and says so; the label is escaped and names the chart", () => {
    const svg = String(sparkline([], 'disk "sda" <read>'));
    expect(runs(svg)).toEqual([]);
    expect(svg).toContain('role="img" aria-label="disk &quot;sda&quot; &lt;read&gt;; no samples yet');
    expect(svg).toContain("<figcaption><span class=\"peak\">no samples yet</span>");
  });

  test("the caption gives the peak and the scale, in the caller's unit; the top is the peak rounded up", () => {
    const svg = String(sparkline([1, 3.2, 2], "load"));
    expect(svg).toContain('<span class="peak">peak 3.20</span> <span class="scale">scale 0 to 5</span>');
    const [line] = runs(svg);
    expect(line![1]![1]).toBeGreaterThan(1);
    const pct = String(sparkline([0.25, 0.5], "fill", { max: 1, format: (v) => `${v * 100} %` }));
    expect(pct).toContain("peak 50 %</span> <span class=\"scale\">scale 0 % to 100 %");
  });

  test("niceCeiling rounds up to 1, 2 or 5 times a power of ten", () => {
    expect([0, 0.3, 1, 1.01, 3.2, 7, 42, 150_000].map(niceCeiling)).toEqual([1, 0.5, 1, 2, 5, 10, 50, 200_000]);
  });
});
