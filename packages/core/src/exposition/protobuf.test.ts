import { describe, expect, test } from "bun:test";
import type { MetricFamily } from "./model.ts";
import { ParseError } from "./text-scan.ts";
import { encodeDelimited } from "../testing/encode-delimited.ts";
import { decodeDelimited } from "./protobuf.ts";
import { FAMILIES } from "../testing/protobuf-cases.ts";

// A minimal, independent protobuf writer, so the decoder is tested against bytes built by the book rather
// than by the encoder under test.
type Bytes = number[];
function varint(n: number | bigint): Bytes {
  let v = BigInt.asUintN(64, BigInt(n));
  const out: Bytes = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
const key = (field: number, wire: number): Bytes => varint(field * 8 + wire);
const vField = (field: number, n: number | bigint): Bytes => [...key(field, 0), ...varint(n)];
function dField(field: number, v: number): Bytes {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...key(field, 1), ...b];
}
function lField(field: number, payload: Bytes | string): Bytes {
  const bytes = typeof payload === "string" ? [...new TextEncoder().encode(payload)] : payload;
  return [...key(field, 2), ...varint(bytes.length), ...bytes];
}
const label = (name: string, value: string): Bytes => lField(1, [...lField(1, name), ...lField(2, value)]);
const delimited = (...messages: Bytes[]): Uint8Array => new Uint8Array(messages.flatMap((m) => [...varint(m.length), ...m]));

function decodeError(buf: Uint8Array): ParseError {
  try {
    decodeDelimited(buf);
  } catch (e) {
    if (e instanceof ParseError) return e;
    throw e;
  }
  throw new Error("expected a ParseError");
}

describe("decodeDelimited: hand-built messages", () => {
  test("every metric type, labels, help, timestamps (negative too)", () => {
    const buf = delimited(
      [...lField(1, "c_total"), ...lField(2, "Count."), ...vField(3, 0), ...lField(4, [...label("a", "1"), ...lField(3, dField(1, 5))])],
      [...lField(1, "g"), ...vField(3, 1), ...lField(4, [...lField(2, dField(1, -2.5)), ...vField(6, 1700000000123)])],
      [...lField(1, "u"), ...lField(2, ""), ...vField(3, 3), ...lField(4, [...lField(5, dField(1, NaN)), ...vField(6, -5)])],
    );
    expect(decodeDelimited(buf)).toEqual([
      { name: "c_total", type: "counter", help: "Count.", samples: [{ name: "c_total", labels: { a: "1" }, value: 5 }] },
      { name: "g", type: "gauge", samples: [{ name: "g", labels: {}, value: -2.5, timestampMs: 1700000000123 }] },
      { name: "u", type: "untyped", help: "", samples: [{ name: "u", labels: {}, value: NaN, timestampMs: -5 }] },
    ]);
  });

  test("histogram: buckets flattened with Go-formatted le, +Inf added from sample_count, then _sum, _count", () => {
    const bucket = (count: number, bound: number): Bytes => lField(3, [...vField(1, count), ...dField(2, bound)]);
    const buf = delimited([
      ...lField(1, "h"),
      ...vField(3, 4),
      ...lField(4, [...label("x", "y"), ...lField(7, [...vField(1, 7), ...dField(2, 1.5), ...bucket(2, 0.25), ...bucket(5, 1e6)])]),
    ]);
    expect(decodeDelimited(buf)).toEqual([
      {
        name: "h",
        type: "histogram",
        samples: [
          { name: "h_bucket", labels: { x: "y", le: "0.25" }, value: 2 },
          { name: "h_bucket", labels: { x: "y", le: "1e+06" }, value: 5 },
          { name: "h_bucket", labels: { x: "y", le: "+Inf" }, value: 7 },
          { name: "h_sum", labels: { x: "y" }, value: 1.5 },
          { name: "h_count", labels: { x: "y" }, value: 7 },
        ],
      },
    ]);
  });

  test("histogram: an explicit +Inf bucket is not doubled; float counts override integer ones", () => {
    const buf = delimited([
      ...lField(1, "h"),
      ...vField(3, 4),
      ...lField(4, lField(7, [...dField(4, 2.5), ...lField(3, [...dField(4, 2.5), ...dField(2, Infinity)])])),
    ]);
    expect(decodeDelimited(buf)[0]!.samples).toEqual([
      { name: "h_bucket", labels: { le: "+Inf" }, value: 2.5 },
      { name: "h_sum", labels: {}, value: 0 },
      { name: "h_count", labels: {}, value: 2.5 },
    ]);
  });

  test("summary: quantiles, then _sum and _count", () => {
    const q = (quantile: number, value: number): Bytes => lField(3, [...dField(1, quantile), ...dField(2, value)]);
    const buf = delimited([
      ...lField(1, "s"),
      ...vField(3, 2),
      ...lField(4, lField(4, [...vField(1, 10), ...dField(2, 4), ...q(0.5, 0.3), ...q(0.99, 0.9)])),
    ]);
    expect(decodeDelimited(buf)[0]!.samples).toEqual([
      { name: "s", labels: { quantile: "0.5" }, value: 0.3 },
      { name: "s", labels: { quantile: "0.99" }, value: 0.9 },
      { name: "s_sum", labels: {}, value: 4 },
      { name: "s_count", labels: {}, value: 10 },
    ]);
  });

  test("unknown fields of every wire type are skipped, fields may come in any order, sub-messages merge", () => {
    const buf = delimited([
      ...lField(4, [...lField(2, dField(1, 1)), ...vField(99, 1n << 60n), ...label("b", "2"), ...lField(2, [...dField(1, 7), ...key(9, 5), 1, 2, 3, 4])]),
      ...lField(5, "seconds"),
      ...dField(77, 3),
      ...vField(3, 1),
      ...lField(1, "late_name"),
    ]);
    expect(decodeDelimited(buf)).toEqual([{ name: "late_name", type: "gauge", samples: [{ name: "late_name", labels: { b: "2" }, value: 7 }] }]);
  });

  test("absent type means counter (proto2 default); a family without metrics is dropped", () => {
    const buf = delimited([...lField(1, "empty"), ...vField(3, 1)], [...lField(1, "c"), ...lField(4, lField(3, dField(1, 3)))]);
    expect(decodeDelimited(buf)).toEqual([{ name: "c", type: "counter", samples: [{ name: "c", labels: {}, value: 3 }] }]);
  });

  test("a family name given twice: the later message wins, as Pushgateway's map does", () => {
    const g = (v: number): Bytes => [...lField(1, "g"), ...vField(3, 1), ...lField(4, lField(2, dField(1, v)))];
    expect(decodeDelimited(delimited(g(1), g(2)))[0]!.samples[0]!.value).toBe(2);
  });

  test("empty input decodes to nothing; unicode strings survive", () => {
    expect(decodeDelimited(new Uint8Array(0))).toEqual([]);
    const buf = delimited([...lField(1, "g"), ...lField(2, "Grüße → ✓"), ...vField(3, 1), ...lField(4, [...label("k", "ü\n\"\\"), ...lField(2, [])])]);
    expect(decodeDelimited(buf)).toEqual([{ name: "g", type: "gauge", help: "Grüße → ✓", samples: [{ name: "g", labels: { k: 'ü\n"\\' }, value: 0 }] }]);
  });

  const gaugeWith = (metric: Bytes, name = "g", type = 1): Bytes => [...lField(1, name), ...vField(3, type), ...lField(4, metric)];
  const invalid: Array<[string, Uint8Array, RegExp]> = [
    ["length prefix past the end", new Uint8Array([5, 10, 1]), /runs past the end/],
    ["truncated varint", new Uint8Array([0x80]), /truncated varint/],
    ["varint longer than 10 bytes", new Uint8Array([...Array(11).fill(0xff), 1]), /longer than 10 bytes/],
    ["field number 0", delimited([0, 0]), /invalid field key/],
    ["group wire type", delimited([...key(9, 3)]), /unsupported wire type 3/],
    ["wire type 7", delimited([...key(9, 7)]), /unsupported wire type 7/],
    ["name with the wrong wire type", delimited([...vField(1, 5)]), /field 1 has wire type 0/],
    ["truncated double", delimited(gaugeWith(lField(2, [...key(1, 1), 0, 0]))), /runs past the end|truncated double/],
    // The Gauge says 5 bytes; its double needs 8, and the Metric's next 4 bytes must not be borrowed.
    ["a field running over the end of its sub-message", delimited(gaugeWith([...key(2, 2), 5, ...key(1, 1), 0, 0, 0, 0, ...vField(6, 1), ...vField(6, 1)])), /truncated double/],
    ["timestamp beyond 2^53", delimited(gaugeWith([...lField(2, []), ...vField(6, 2n ** 53n)])), /out of range/],
    ["negative timestamp beyond -2^53", delimited(gaugeWith([...lField(2, []), ...vField(6, -(2n ** 60n))])), /out of range/],
    ["inner length past its message", delimited([...lField(1, "g"), ...key(4, 2), 50, 1]), /runs past the end/],
    ["invalid UTF-8 in a label value", delimited(gaugeWith([...lField(1, [...lField(1, "a"), ...key(2, 2), 2, 0xc3, 0x28]), ...lField(2, [])])), /not valid UTF-8/],
    ["invalid metric name", delimited(gaugeWith(lField(2, []), "1bad")), /invalid metric name "1bad"/],
    ["missing metric name", delimited([...vField(3, 1), ...lField(4, lField(2, []))]), /invalid metric name ""/],
    ["invalid label name", delimited(gaugeWith([...label("a-b", "x"), ...lField(2, [])])), /invalid label name "a-b"/],
    ["__name__ label", delimited(gaugeWith([...label("__name__", "x"), ...lField(2, [])])), /invalid label name "__name__"/],
    ["duplicate label", delimited(gaugeWith([...label("a", "1"), ...label("a", "2"), ...lField(2, [])])), /duplicate label name "a"/],
    ["le label on a histogram", delimited(gaugeWith([...label("le", "1"), ...lField(7, [])], "h", 4)), /"le" is reserved/],
    ["gauge metric without a gauge", delimited(gaugeWith(lField(3, dField(1, 1)))), /has no gauge value/],
    ["gauge histogram", delimited(gaugeWith(lField(7, []), "gh", 5)), /gauge histogram gh is not supported/],
    ["unknown type", delimited(gaugeWith(lField(2, []), "x", 9)), /unknown metric type 9/],
  ];
  for (const [title, buf, pattern] of invalid) {
    test(`refuses: ${title}`, () => {
      const err = decodeError(buf);
      expect(err.line).toBe(0);
      expect(err.message).toMatch(pattern);
      expect(err.message).toMatch(/^invalid protobuf MetricFamily stream, message \d+/);
    });
  }
});

describe("encodeDelimited -> decodeDelimited", () => {
  test("families round trip to the same model", () => {
    expect(decodeDelimited(encodeDelimited(FAMILIES))).toEqual(FAMILIES);
  });

  test("empty HELP stays distinct from absent HELP", () => {
    const fams: MetricFamily[] = [
      { name: "a", type: "gauge", help: "", samples: [{ name: "a", labels: {}, value: 1 }] },
      { name: "b", type: "gauge", samples: [{ name: "b", labels: {}, value: 1 }] },
    ];
    expect(decodeDelimited(encodeDelimited(fams))).toEqual(fams);
  });

  test("timestamps, including negative and 2^53-1, round trip", () => {
    const fams: MetricFamily[] = [
      {
        name: "t",
        type: "untyped",
        samples: [
          { name: "t", labels: { i: "1" }, value: 1, timestampMs: -1 },
          { name: "t", labels: { i: "2" }, value: 2, timestampMs: 9007199254740991 },
          { name: "t", labels: { i: "3" }, value: 3, timestampMs: -9007199254740991 },
          { name: "t", labels: { i: "4" }, value: 4, timestampMs: 0 },
        ],
      },
    ];
    expect(decodeDelimited(encodeDelimited(fams))).toEqual(fams);
  });

  test("large strings (a 64 KiB label value) round trip", () => {
    const big = "é".repeat(32768) + "x";
    const fams: MetricFamily[] = [{ name: "g", type: "gauge", samples: [{ name: "g", labels: { big }, value: 1 }] }];
    expect(decodeDelimited(encodeDelimited(fams))).toEqual(fams);
  });

  test("a sample that does not belong to its family is an encoding error", () => {
    expect(() => encodeDelimited([{ name: "g", type: "gauge", samples: [{ name: "other", labels: {}, value: 1 }] }])).toThrow(/cannot encode/);
    expect(() =>
      encodeDelimited([{ name: "h", type: "histogram", samples: [{ name: "h_bucket", labels: { le: "x" }, value: 1 }] }]),
    ).toThrow(/not a float/);
  });
});

describe("decodeDelimited: never anything but ParseError, never a hang", () => {
  let seed = 0x9e3779b9;
  const rnd = (n: number): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return (seed >>> 0) % n;
  };
  const valid = encodeDelimited(FAMILIES);

  test("every truncation of a valid stream", () => {
    for (let n = 0; n < valid.length; n++) {
      try {
        decodeDelimited(valid.subarray(0, n));
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }
  });

  test("5,000 mutated and random buffers", () => {
    let refused = 0;
    for (let i = 0; i < 5000; i++) {
      let buf: Uint8Array;
      if (i % 4 === 3) {
        buf = new Uint8Array(rnd(200)).map(() => rnd(256));
      } else {
        buf = valid.slice();
        for (let k = 1 + rnd(4); k > 0; k--) buf[rnd(buf.length)] = rnd(256);
      }
      try {
        for (const f of decodeDelimited(buf)) expect(f.samples.length).toBeGreaterThan(0);
      } catch (e) {
        if (!(e instanceof ParseError)) throw new Error(`non-ParseError for [${buf.join(",")}]: ${e}`);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(1000);
  });
});

test("UTF-8 metric and label names decode with utf8 names and are refused without", () => {
  const family: MetricFamily = { name: "my.metric", type: "gauge", samples: [{ name: "my.metric", labels: { "label.with.dots": "x" }, value: 1 }] };
  const bytes = encodeDelimited([family]);
  expect(decodeDelimited(bytes, "utf8")).toEqual([family]);
  expect(() => decodeDelimited(bytes)).toThrow(ParseError);
  const label = encodeDelimited([{ name: "m", type: "gauge", samples: [{ name: "m", labels: { "a.b": "x" }, value: 1 }] }]);
  expect(() => decodeDelimited(label)).toThrow('invalid label name "a.b"');
});
