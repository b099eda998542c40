import { describe, expect, test } from "bun:test";
import { parseText } from "./parse.ts";
import { ParseError, parseGoFloat } from "./text-scan.ts";
import { renderFamily } from "./render.ts";
import type { MetricFamily } from "./model.ts";

function positiveZero(families: MetricFamily[]): MetricFamily[] {
  return families.map((f) => ({ ...f, samples: f.samples.map((s) => (Object.is(s.value, -0) ? { ...s, value: 0 } : s)) }));
}

function parseError(text: string): ParseError {
  try {
    parseText(text);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error(`expected a ParseError for ${JSON.stringify(text)}`);
}

/**
 * Valid inputs: title, text, the families it must give, and whether the older expfmt vendored in the Debian
 * promtool refuses it (current expfmt accepts `\\"` in HELP; so do we).
 */
const VALID: Array<[string, string, MetricFamily[], "old expfmt rejects"?]> = [
  ["empty input", "", []],
  ["blank lines and blanks after the last LF", "\n  \n\t\nfoo 1\n   ", [{ name: "foo", type: "untyped", samples: [{ name: "foo", labels: {}, value: 1 }] }]],
  [
    "HELP, TYPE, labels, timestamp",
    '# HELP http_requests_total The total.\n# TYPE http_requests_total counter\nhttp_requests_total{method="post",code="200"} 1027 1395066363000\n',
    [
      {
        name: "http_requests_total",
        type: "counter",
        help: "The total.",
        samples: [{ name: "http_requests_total", labels: { method: "post", code: "200" }, value: 1027, timestampMs: 1395066363000 }],
      },
    ],
  ],
  [
    "TYPE keyword case-insensitive, HELP after TYPE",
    "# TYPE g GAUGE\n# HELP g h\ng 2\n",
    [{ name: "g", type: "gauge", help: "h", samples: [{ name: "g", labels: {}, value: 2 }] }],
  ],
  [
    "HELP escapes \\\\ and \\n; trailing blanks of HELP kept",
    "# HELP h a\\\\b\\nc  \nh 1\n",
    [{ name: "h", type: "untyped", help: "a\\b\nc  ", samples: [{ name: "h", labels: {}, value: 1 }] }],
  ],
  [
    "HELP escape \\\" (current expfmt)",
    '# HELP h say \\"hi\\"\nh 1\n',
    [{ name: "h", type: "untyped", help: 'say "hi"', samples: [{ name: "h", labels: {}, value: 1 }] }],
    "old expfmt rejects",
  ],
  [
    "label value escapes",
    'm{path="C:\\\\DIR",err="x\\n\\"y\\""} 1\n',
    [{ name: "m", type: "untyped", samples: [{ name: "m", labels: { path: "C:\\DIR", err: 'x\n"y"' }, value: 1 }] }],
  ],
  [
    "blanks everywhere they are allowed, trailing comma, empty braces",
    'm { a = "1" , b="2", } 3\nm{} 4\n\t m\t5\n',
    [
      {
        name: "m",
        type: "untyped",
        samples: [
          { name: "m", labels: { a: "1", b: "2" }, value: 3 },
          { name: "m", labels: {}, value: 4 },
          { name: "m", labels: {}, value: 5 },
        ],
      },
    ],
  ],
  [
    "unicode, braces, '#' and '=' inside label values; colons in names",
    'a:b_c{x="ü→{}#=,",_y="  "} 1\n',
    [{ name: "a:b_c", type: "untyped", samples: [{ name: "a:b_c", labels: { x: "ü→{}#=,", _y: "  " }, value: 1 }] }],
  ],
  [
    "value forms",
    "v{i=\"1\"} NaN\nv{i=\"2\"} +Inf\nv{i=\"3\"} -Inf\nv{i=\"4\"} Inf\nv{i=\"5\"} 1.5e3\nv{i=\"6\"} -.5E-2\nv{i=\"7\"} 007\nv{i=\"8\"} 5.\nv{i=\"9\"} infinity\nv{i=\"10\"} nan\nv{i=\"11\"} 1e-400\nv{i=\"12\"} 123456789012345678\n",
    [
      {
        name: "v",
        type: "untyped",
        samples: [
          { name: "v", labels: { i: "1" }, value: NaN },
          { name: "v", labels: { i: "2" }, value: Infinity },
          { name: "v", labels: { i: "3" }, value: -Infinity },
          { name: "v", labels: { i: "4" }, value: Infinity },
          { name: "v", labels: { i: "5" }, value: 1500 },
          { name: "v", labels: { i: "6" }, value: -0.005 },
          { name: "v", labels: { i: "7" }, value: 7 },
          { name: "v", labels: { i: "8" }, value: 5 },
          { name: "v", labels: { i: "9" }, value: Infinity },
          { name: "v", labels: { i: "10" }, value: NaN },
          { name: "v", labels: { i: "11" }, value: 0 },
          { name: "v", labels: { i: "12" }, value: 123456789012345678 },
        ],
      },
    ],
  ],
  [
    "timestamps: negative, signed, leading zeros, ±2^53-1",
    "t 1 -5\nt 2 +07\nt 3 9007199254740991\nt 4 -9007199254740991\n",
    [
      {
        name: "t",
        type: "untyped",
        samples: [
          { name: "t", labels: {}, value: 1, timestampMs: -5 },
          { name: "t", labels: {}, value: 2, timestampMs: 7 },
          { name: "t", labels: {}, value: 3, timestampMs: 9007199254740991 },
          { name: "t", labels: {}, value: 4, timestampMs: -9007199254740991 },
        ],
      },
    ],
  ],
  [
    "histogram parts grouped into their family",
    '# TYPE h histogram\nh_bucket{le="0.5",x="a"} 1\nh_bucket{x="a",le="+Inf"} 2\nh_sum{x="a"} 3.5\nh_count{x="a"} 2\n',
    [
      {
        name: "h",
        type: "histogram",
        samples: [
          { name: "h_bucket", labels: { le: "0.5", x: "a" }, value: 1 },
          { name: "h_bucket", labels: { x: "a", le: "+Inf" }, value: 2 },
          { name: "h_sum", labels: { x: "a" }, value: 3.5 },
          { name: "h_count", labels: { x: "a" }, value: 2 },
        ],
      },
    ],
  ],
  [
    "summary parts grouped; _bucket of a summary is a family of its own",
    '# TYPE s summary\ns{quantile="0.5"} 1\ns_sum 2\ns_count 3\ns_bucket 4\n',
    [
      {
        name: "s",
        type: "summary",
        samples: [
          { name: "s", labels: { quantile: "0.5" }, value: 1 },
          { name: "s_sum", labels: {}, value: 2 },
          { name: "s_count", labels: {}, value: 3 },
        ],
      },
      { name: "s_bucket", type: "untyped", samples: [{ name: "s_bucket", labels: {}, value: 4 }] },
    ],
  ],
  [
    "le on a histogram's _sum and quantile on a summary's _count are dropped, as expfmt does",
    '# TYPE h histogram\nh_sum{le="1",a="b"} 1\n# TYPE s summary\ns_count{quantile="0.5"} 2\n',
    [
      { name: "h", type: "histogram", samples: [{ name: "h_sum", labels: { a: "b" }, value: 1 }] },
      { name: "s", type: "summary", samples: [{ name: "s_count", labels: {}, value: 2 }] },
    ],
  ],
  [
    "_sum of a counter is a family of its own",
    "# TYPE c counter\nc 1\nc_sum 2\n",
    [
      { name: "c", type: "counter", samples: [{ name: "c", labels: {}, value: 1 }] },
      { name: "c_sum", type: "untyped", samples: [{ name: "c_sum", labels: {}, value: 2 }] },
    ],
  ],
  [
    "a _count seen before its base's TYPE keeps its own family even afterwards: exact names win",
    "x_count 1\n# TYPE x summary\nx_count 2\n",
    [{ name: "x_count", type: "untyped", samples: [{ name: "x_count", labels: {}, value: 1 }, { name: "x_count", labels: {}, value: 2 }] }],
  ],
  [
    "non-contiguous samples are merged into the first family, in order",
    "a 1\nb 2\na{x=\"y\"} 3\n",
    [
      { name: "a", type: "untyped", samples: [{ name: "a", labels: {}, value: 1 }, { name: "a", labels: { x: "y" }, value: 3 }] },
      { name: "b", type: "untyped", samples: [{ name: "b", labels: {}, value: 2 }] },
    ],
  ],
  [
    "HELP after samples is accepted",
    "a 1\n# HELP a late\n",
    [{ name: "a", type: "untyped", help: "late", samples: [{ name: "a", labels: {}, value: 1 }] }],
  ],
  [
    "families with only HELP/TYPE are dropped; other comments and bare keywords ignored",
    "# HELP e x\n# TYPE e gauge\n# just a comment\n#\n# HELP\n# TYPE only_name\n#HELP f y\nf 1\n",
    [{ name: "f", type: "untyped", help: "y", samples: [{ name: "f", labels: {}, value: 1 }] }],
  ],
  [
    "duplicate series are kept (consistency is the caller's check)",
    "d 1\nd 2\n",
    [{ name: "d", type: "untyped", samples: [{ name: "d", labels: {}, value: 1 }, { name: "d", labels: {}, value: 2 }] }],
  ],
  [
    "__proto__ is an ordinary label name",
    'p{__proto__="x"} 1\n',
    [{ name: "p", type: "untyped", samples: [{ name: "p", labels: JSON.parse('{"__proto__":"x"}'), value: 1 }] }],
  ],
  ["a gauge_histogram TYPE without samples is dropped", "# TYPE gh GAUGE_HISTOGRAM\nx 1\n", [{ name: "x", type: "untyped", samples: [{ name: "x", labels: {}, value: 1 }] }]],
  ["value right after the closing brace", 'q{a="b"}1\n', [{ name: "q", type: "untyped", samples: [{ name: "q", labels: { a: "b" }, value: 1 }] }]],
];

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

/**
 * Invalid inputs: title, text, line of the error, what the message says, and whether Go's expfmt (as vendored
 * in the Debian promtool) accepts it anyway: those are the deliberate differences listed in parse.ts.
 */
const INVALID: Array<[string, string, number, RegExp, "expfmt accepts"?]> = [
    ["no trailing newline", "foo 1", 1, /does not end with a newline/],
    ["comment without trailing newline", "foo 1\n# c", 2, /does not end with a newline/],
    ["CRLF line ending", "foo 1\r\n", 1, /expected float as value/],
    ["missing value", "foo\n", 1, /expected float as value.*""/],
    ["missing value after labels", 'foo{a="b"} \n', 1, /expected float/],
    ["blank after value", "foo 1 \n", 1, /expected integer as timestamp/],
    ["blank after timestamp", "foo 1 2 \n", 1, /spurious string after timestamp/],
    ["junk after timestamp", "foo 1 2 3\n", 1, /spurious string/],
    ["float timestamp", "foo 1 2.5\n", 1, /expected integer as timestamp/],
    ["timestamp beyond int64", "foo 1 9223372036854775808\n", 1, /out of range/],
  ["timestamp beyond 2^53", "foo 1 9007199254740992\n", 1, /out of range/, "expfmt accepts"],
  ["sign only timestamp", "foo 1 -\n", 1, /expected integer as timestamp/],
    ["hex value", "foo 0x10\n", 1, /expected float/],
    ["hex float value", "foo 0x1p3\n", 1, /expected float/],
    ["underscore in value", "foo 1_000\n", 1, /expected float/],
    ["signed NaN", "foo +NaN\n", 1, /expected float/],
    ["overflowing value", "foo 1e400\n", 1, /expected float/],
    ["bare exponent", "foo 1e\n", 1, /expected float/],
    ["lone dot", "foo .\n", 1, /expected float/],
    ["invalid metric name start", "1foo 1\n", 1, /invalid metric name/],
    ["invalid char in metric name", "fo-o 1\n", 1, /expected float/],
    ["quoted metric name", '{"foo.bar"} 1\n', 1, /metric name missing/],
    ["invalid label name", 'foo{1a="b"} 1\n', 1, /invalid label name/],
    ["dash in label name", 'foo{a-b="c"} 1\n', 1, /expected '='/],
    ["reserved __name__", 'foo{__name__="x"} 1\n', 1, /reserved/],
    ["duplicate label", 'foo{a="1",a="2"} 1\n', 1, /duplicate label name "a"/],
    ["duplicate le", '# TYPE h histogram\nh_bucket{le="1",le="2"} 1\n', 2, /duplicate label name "le"/, "expfmt accepts"],
    ["unquoted label value", "foo{a=b} 1\n", 1, /expected '"'/],
    ["unterminated label value", 'foo{a="b} 1\n', 1, /no closing/],
    ["raw newline in label value", 'foo{a="b\n"} 1\n', 1, /no closing/],
    ["invalid escape in label value", 'foo{a="\\t"} 1\n', 1, /invalid escape sequence/],
    ["backslash at end of label line", 'foo{a="\\\n', 1, /invalid escape sequence|no closing/],
    ["missing comma", 'foo{a="1" b="2"} 1\n', 1, /unexpected "b"/],
    ["unclosed label set", 'foo{a="1",\n', 1, /unexpected end of line in the label set/],
    ["second HELP", "# HELP a x\n# HELP a y\na 1\n", 2, /second HELP/],
    ["second TYPE", "# TYPE a gauge\n# TYPE a gauge\na 1\n", 2, /second TYPE/],
    ["TYPE after samples", "a 1\n# TYPE a gauge\n", 2, /TYPE reported after samples/],
    ["TYPE of _sum after summary TYPE", "# TYPE s summary\n# TYPE s_sum gauge\n", 2, /second TYPE line for metric name "s"/],
    ["unknown type", "# TYPE a timer\na 1\n", 1, /unknown metric type "timer"/],
    ["type with trailing blank", "# TYPE a gauge \na 1\n", 1, /unknown metric type/],
    ["gauge_histogram sample", "# TYPE a gauge_histogram\n# HELP a x\na 1\n", 3, /type gauge_histogram of "a" is not supported/, "expfmt accepts"],
  ["second TYPE after gauge_histogram", "# TYPE a gauge_histogram\n# TYPE a gauge\n", 2, /second TYPE/],
    ["invalid HELP escape", "# HELP a x\\ty\n", 1, /invalid escape sequence/],
    ["backslash ending HELP", "# HELP a x\\\n", 1, /invalid escape sequence/],
    ["invalid name in HELP", "# HELP 1a x\n", 1, /invalid metric name in HELP/],
    ["invalid char after name in TYPE", "# TYPE a$ gauge\n", 1, /invalid metric name in TYPE/],
    ["histogram bucket without le", "# TYPE h histogram\nh_bucket 1\n", 2, /no 'le' label/, "expfmt accepts"],
    ["non-float le", '# TYPE h histogram\nh_bucket{le="x"} 1\n', 2, /expected float as value for 'le' label, got "x"/],
    ["non-float le on _sum", '# TYPE h histogram\nh_sum{le="x"} 1\n', 2, /'le' label/],
    ["histogram sample without suffix", '# TYPE h histogram\nh{le="1"} 1\n', 2, /must end in _bucket, _sum or _count/, "expfmt accepts"],
    ["summary sample without quantile", "# TYPE s summary\ns 1\n", 2, /no 'quantile' label/, "expfmt accepts"],
    ["non-float quantile", '# TYPE s summary\ns{quantile="half"} 1\n', 2, /'quantile' label, got "half"/],
    ["error line counts blank and comment lines", "\n# c\n\na 1\nb\n", 5, /expected float/],
];

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
function expfmtRefuses(text: string): { refused: boolean; output: string } {
  const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: Buffer.from(text), stdout: "pipe", stderr: "pipe" });
  const output = r.stdout.toString() + r.stderr.toString();
  return { refused: r.exitCode === 1 && output.includes("text format parsing error"), output };
}

const hasPromtool = Bun.which("promtool") !== null;

describe.skipIf(!hasPromtool)("differential against expfmt (promtool check metrics)", () => {
  test("every valid case is accepted by expfmt too, except the listed differences", () => {
    const disagree: string[] = [];
    for (const [title, text, , note] of VALID) {
      const { refused, output } = expfmtRefuses(text);
      if (refused !== (note === "old expfmt rejects")) disagree.push(`${title}: ${output.trim()}`);
    }
    expect(disagree).toEqual([]);
  }, 60_000);

  test("every invalid case is refused by expfmt too, except the listed differences", () => {
    const disagree: string[] = [];
    for (const [title, text, line, , note] of INVALID) {
      const { refused, output } = expfmtRefuses(text);
      if (refused !== (note !== "expfmt accepts")) disagree.push(`${title}: ${output.trim()}`);
      // Where both refuse, both blame the same line.
      else if (refused && !output.includes(`in line ${line}:`)) disagree.push(`${title}: line differs: ${output.trim()}`);
    }
    expect(disagree).toEqual([]);
  }, 60_000);

  test("renderFamily output of parsed families passes promtool's parser and linter", () => {
    const text =
      '# HELP jobs_total Jobs run.\n# TYPE jobs_total counter\njobs_total{queue="a\\\\b",note="x\\"y\\nz"} 3\n' +
      "# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n" +
      'lat_seconds_bucket{le="0.1"} 1\nlat_seconds_bucket{le="+Inf"} 2\nlat_seconds_sum 0.3\nlat_seconds_count 2\n' +
      '# HELP q_seconds Quantiles.\n# TYPE q_seconds summary\nq_seconds{quantile="0.5"} NaN\nq_seconds_sum 0\nq_seconds_count 0\n' +
      "# HELP temp_celsius Temperature.\n# TYPE temp_celsius gauge\ntemp_celsius -Inf\n";
    const rendered = parseText(text).map(renderFamily).join("");
    const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: Buffer.from(rendered), stdout: "pipe", stderr: "pipe" });
    expect(r.stdout.toString() + r.stderr.toString()).toBe("");
    expect(r.exitCode).toBe(0);
  });
});

describe("random and mutated input", () => {
  // A small deterministic PRNG, so a failure reproduces.
  let seed = 0x2545f491;
  const rnd = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const corpus = [...VALID.map((c) => c[1]), ...INVALID.map((c) => c[1])].filter((t) => t.length > 0);
  const alphabet = ' \t\n#{}="\\,_:aZ09.+-eEIinfNa\u00e9\u2192';

  function mutate(text: string): string {
    let out = text;
    const edits = 1 + rnd(4);
    for (let i = 0; i < edits; i++) {
      const at = rnd(out.length + 1);
      const ch = alphabet[rnd(alphabet.length)]!;
      switch (rnd(4)) {
        case 0:
          out = out.slice(0, at) + ch + out.slice(at);
          break;
        case 1:
          out = out.slice(0, at) + out.slice(at + 1);
          break;
        case 2:
          out = out.slice(0, at) + ch + out.slice(at + 1);
          break;
        default:
          out = out.slice(0, at) + out.slice(rnd(out.length + 1));
      }
    }
    return out;
  }

  test("5,000 mutated and random inputs: only ParseError is ever thrown, and results render back", () => {
    let accepted = 0;
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      const text =
        i % 5 === 4
          ? Array.from({ length: rnd(80) }, () => alphabet[rnd(alphabet.length)]).join("")
          : mutate(corpus[rnd(corpus.length)]!);
      let families: MetricFamily[];
      try {
        families = parseText(text);
      } catch (e) {
        if (!(e instanceof ParseError)) throw new Error(`non-ParseError for ${JSON.stringify(text)}: ${e}`);
        expect(e.line).toBeGreaterThan(0);
        refused++;
        continue;
      }
      accepted++;
      // Whatever is accepted must survive rendering and re-parsing unchanged (but for -0, which the text
      // format writes as 0, as Go does).
      expect(parseText(families.map(renderFamily).join(""))).toEqual(positiveZero(families));
    }
    expect(accepted).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(100);
  });
});

describe.skipIf(!hasPromtool)("differential fuzz against expfmt (promtool check metrics)", () => {
  let seed = 0x1234567;
  const rnd = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const corpus = VALID.filter((c) => c[1].length > 0 && c[3] === undefined).map((c) => c[1]);
  const alphabet = ' \t\n#{}="\\,_:aZ09.+-eEInfNa\u00e9';
  /** Our error details for the documented differences, where expfmt accepts or fails later on. */
  const difference = /no 'le' label|no 'quantile' label|must end in _bucket|duplicate label name "(le|quantile)"|gauge_histogram|out of range/;

  test("120 mutated inputs: accepted or refused alike, and refused on the same line", () => {
    const disagree: string[] = [];
    for (let i = 0; i < 120; i++) {
      let text = corpus[rnd(corpus.length)]!;
      for (let k = 1 + rnd(3); k > 0; k--) {
        const at = rnd(text.length + 1);
        const ch = alphabet[rnd(alphabet.length)]!;
        text = rnd(2) === 0 ? text.slice(0, at) + ch + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
      }
      let ours: ParseError | undefined;
      try {
        parseText(text);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        ours = e;
      }
      if (ours && difference.test(ours.detail)) continue;
      const theirs = expfmtRefuses(text);
      if (theirs.refused && theirs.output.includes("invalid escape sequence '\\\"'")) continue;
      if (Boolean(ours) !== theirs.refused) disagree.push(`${JSON.stringify(text)}: ours ${ours?.message ?? "accepted"}; expfmt ${theirs.output.trim() || "accepted"}`);
      else if (ours && !theirs.output.includes(`in line ${ours.line}:`)) disagree.push(`${JSON.stringify(text)}: line ${ours.line} vs ${theirs.output.trim()}`);
    }
    expect(disagree).toEqual([]);
  }, 60_000);
});

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
