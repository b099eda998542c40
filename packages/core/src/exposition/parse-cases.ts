/**
 * Test data for the text parser's tests (parse.test.ts, parse-expfmt.test.ts): inputs it must accept, with
 * the families they give, and inputs it must refuse, with the line and message.
 */
import type { MetricFamily } from "./model.ts";

/**
 * Valid inputs: title, text, the families it must give, and whether the older expfmt vendored in the Debian
 * promtool refuses it (current expfmt accepts `\\"` in HELP; so do we).
 */
export const VALID: Array<[string, string, MetricFamily[], "old expfmt rejects"?]> = [
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


/**
 * Invalid inputs: title, text, line of the error, what the message says, and whether Go's expfmt (as vendored
 * in the Debian promtool) accepts it anyway: those are the deliberate differences listed in parse.ts.
 */
export const INVALID: Array<[string, string, number, RegExp, "expfmt accepts"?]> = [
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

