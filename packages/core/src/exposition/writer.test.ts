import { describe, expect, test } from "bun:test";
import { formatValue, MetricSet, renderHeader, renderSampleLine } from "./writer.ts";

describe("renderHeader", () => {
  test("escapes backslashes and newlines in the help text, as Prometheus does", () => {
    expect(renderHeader("a_total", "counter", "line one\nC:\\dir")).toBe("# HELP a_total line one\\nC:\\\\dir\n# TYPE a_total counter\n");
    expect(renderHeader("b", "gauge", undefined)).toBe("# TYPE b gauge\n");
  });

  test("a name seen before with another type or help gets the new header, not the remembered one", () => {
    expect(renderHeader("header_reuse", "gauge", "first")).toBe("# HELP header_reuse first\n# TYPE header_reuse gauge\n");
    expect(renderHeader("header_reuse", "gauge", "first")).toBe("# HELP header_reuse first\n# TYPE header_reuse gauge\n");
    expect(renderHeader("header_reuse", "counter", "first")).toBe("# HELP header_reuse first\n# TYPE header_reuse counter\n");
    expect(renderHeader("header_reuse", "counter", "second")).toBe("# HELP header_reuse second\n# TYPE header_reuse counter\n");
    expect(renderHeader("header_reuse", "counter", undefined)).toBe("# TYPE header_reuse counter\n");
  });
});

describe("sample lines", () => {
  test("labels escaped, values in Prometheus' spelling", () => {
    expect(renderSampleLine("m", { path: 'C:\\x "y"\n' }, 1.5)).toBe('m{path="C:\\\\x \\"y\\"\\n"} 1.5\n');
    expect([NaN, Infinity, -Infinity, 42, 0.1].map(formatValue)).toEqual(["NaN", "+Inf", "-Inf", "42", "0.1"]);
  });
});

describe("MetricSet", () => {
  test("adding to a family that exists appends to it; render is in name order, one header per family", () => {
    const set = new MetricSet();
    set.gauge("z_last", "Z.", 1);
    set.counter("a_first_total", "A.", 2, { k: "1" });
    set.counter("a_first_total", "A.", 3, { k: "2" });
    expect(set.get("a_first_total")?.size).toBe(2);
    expect(set.get("missing")).toBeUndefined();
    expect(set.render()).toBe(
      '# HELP a_first_total A.\n# TYPE a_first_total counter\na_first_total{k="1"} 2\na_first_total{k="2"} 3\n' + "# HELP z_last Z.\n# TYPE z_last gauge\nz_last 1\n",
    );
  });
});
