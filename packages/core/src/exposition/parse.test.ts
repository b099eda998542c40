import { describe, expect, test } from "bun:test";
import { parseText } from "./parse.ts";
import { ParseError } from "./text-scan.ts";
import { renderFamily } from "./render.ts";
import { INVALID, VALID } from "./parse-cases.ts";

function parseError(text: string): ParseError {
  try {
    parseText(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}`);
}

describe("parseText: valid input", () => {
  for (const [title, text, want] of VALID) {
    test(title, () => {
      expect(parseText(text)).toEqual(want);
    });
  }

  test("__proto__ label is an own, enumerable property and leaves the prototype alone", () => {
    const [f] = parseText('p{__proto__="x",a="1"} 1\n');
    const labels = f!.samples[0]!.labels;
    expect(Object.keys(labels)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
  });

  test("family order is first appearance (HELP line counts), not name order", () => {
    const names = parseText("# HELP z z\nb 1\na 1\nz 1\n").map((f) => f.name);
    expect(names).toEqual(["z", "b", "a"]);
  });
});

describe("parseText: invalid input", () => {
  for (const [title, text, line, pattern] of INVALID) {
    test(title, () => {
      const err = parseError(text);
      expect(err.line).toBe(line);
      expect(err.detail).toMatch(pattern);
      expect(err.message).toBe(`text format parsing error in line ${line}: ${err.detail}`);
    });
  }

  test("a 64 KiB label value is cut short in the error message", () => {
    const err = parseError(`foo{a="${"x".repeat(65536)}"} oops\n`);
    expect(err.message.length).toBeLessThan(400);
  });
});

describe("round trip through renderFamily", () => {
  const text = [
    "# HELP c_total A counter\\nwith two lines and a \\\\.",
    "# TYPE c_total counter",
    'c_total{path="C:\\\\x",msg="say \\"hi\\"\\n"} 5',
    "# TYPE g gauge",
    "g NaN",
    'g{x="1"} -Inf 1700000000000',
    "# HELP h H",
    "# TYPE h histogram",
    'h_bucket{le="0.1"} 1',
    'h_bucket{le="+Inf"} 3',
    "h_sum 0.25",
    "h_count 3",
    "# TYPE s summary",
    's{quantile="0.99"} 1e-07',
    "s_sum 12",
    "s_count 2",
    "# TYPE u untyped",
    "u 1.5",
    "",
  ].join("\n");

  test("text -> model -> text -> model is stable", () => {
    const families = parseText(text);
    const rendered = families.map(renderFamily).join("");
    expect(parseText(rendered)).toEqual(families);
    // A second pass renders byte-identical text: nothing drifts.
    expect(parseText(rendered).map(renderFamily).join("")).toBe(rendered);
  });
});

/** Go's expfmt.TextParser as the Debian promtool vendors it: "refused" when it reports a text format error. */
describe("quoted UTF-8 names", () => {
  // The forms expfmt's text writer uses for names outside the classic patterns, from its text_create_test.go.
  const body =
    '# HELP "my.metric" A \\"dotted\\" name.\n# TYPE "my.metric" gauge\n{"my.metric",label="x"} 1\n{ "my.metric" } 2\n' +
    'plain{"label.with.dots"="x",b="y"} 3\n# TYPE "h.x" histogram\n{"h.x_bucket","a.b"="1",le="+Inf"} 4\n{"h.x_sum","a.b"="1"} 5\n{"h.x_count","a.b"="1"} 4\n';

  test("are read with utf8 names", () => {
    const [dotted, plain, hist] = parseText(body, "utf8");
    expect(dotted).toEqual({
      name: "my.metric",
      type: "gauge",
      help: 'A "dotted" name.',
      samples: [
        { name: "my.metric", labels: { label: "x" }, value: 1 },
        { name: "my.metric", labels: {}, value: 2 },
      ],
    });
    expect(plain!.samples[0]!.labels).toEqual({ "label.with.dots": "x", b: "y" });
    expect(hist!.type).toBe("histogram");
    expect(hist!.samples.map((s) => [s.name, s.labels])).toEqual([
      ["h.x_bucket", { "a.b": "1", le: "+Inf" }],
      ["h.x_sum", { "a.b": "1" }],
      ["h.x_count", { "a.b": "1" }],
    ]);
  });

  test("keep escapes and refuse what expfmt refuses", () => {
    expect(parseText('{"a\\"b\\\\c\\nd"} 1\n', "utf8")[0]!.name).toBe('a"b\\c\nd');
    expect(parseText('"my.metric"{a="x"} 1\n"my.metric" 2\n', "utf8")[0]!.samples).toEqual([
      { name: "my.metric", labels: { a: "x" }, value: 1 },
      { name: "my.metric", labels: {}, value: 2 },
    ]);
    const bad = (text: string) => expect(() => parseText(text, "utf8")).toThrow(ParseError);
    bad('{"my.metric" 1\n');
    bad('{"my.metric"x} 1\n');
    bad('{"my.metric","__name__"="x"} 1\n');
    bad('{"my.metric",a="1","a"="2"} 1\n');
    bad('{""} 1\n');
    bad('{"unclosed} 1\n');
    bad('m{"a\\qb"="1"} 1\n');
  });

  test("are refused with classic names", () => {
    expect(parseError('{"my.metric"} 1\n').detail).toContain("metric name missing before '{'");
    expect(parseError('m{"label.x"="1"} 1\n').detail).toContain("invalid label name");
    expect(parseError('# TYPE "my.metric" gauge\n').detail).toContain("invalid metric name in TYPE line");
  });
});

