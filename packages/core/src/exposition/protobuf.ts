/**
 * `application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited`: a stream of
 * varint-length-prefixed `io.prometheus.client.MetricFamily` messages (client_model's metrics.proto, proto2).
 *
 * Decoding flattens histograms and summaries into the samples the text format would show (what Go's
 * `expfmt.MetricFamilyToText` writes: quantiles or buckets, an added `le="+Inf"` bucket where the message has
 * none, then `_sum` and `_count`), so everything after the codec sees the one model of `./model.ts`.
 * Unknown fields (exemplars, created timestamps, native histogram buckets, `unit`) are skipped. Any malformed
 * or truncated input is a ParseError; every read is bounds-checked, so no input can loop or read past the end.
 */
import type { Labels, MetricFamily, MetricType, Sample } from "./model.ts";
import { isValidLabelName, isValidMetricName } from "./model.ts";
import { ParseError, parseGoFloat, setLabel } from "./parse.ts";

export const PROTOBUF_DELIMITED_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** metrics.proto's MetricType enum; GAUGE_HISTOGRAM (5) has no place in the text model and is refused. */
const TYPE_BY_NUMBER: readonly MetricType[] = ["counter", "gauge", "summary", "untyped", "histogram"];
const NUMBER_BY_TYPE: Readonly<Record<MetricType, number>> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 };

/**
 * A float as Go's text writer puts it in an `le` or `quantile` label: `strconv.FormatFloat(v, 'g', -1, 64)`
 * (`1e+06`, `0.001`, `1e-05`), with `+Inf`/`-Inf`/`NaN`, and zero always `0`. Bucket labels must be
 * byte-identical to what Go clients write in text, or one series would have two names.
 */
export function formatGoFloat(v: number): string {
  if (v === 0) return "0";
  if (Number.isNaN(v)) return "NaN";
  if (v === Infinity) return "+Inf";
  if (v === -Infinity) return "-Inf";
  const e = v.toExponential();
  const at = e.indexOf("e");
  const exp = Number(e.slice(at + 1));
  // Go's %g switches to exponent form below 1e-4 and from 1e6 on (precision 6 for the shortest form).
  if (exp >= -4 && exp < 6) return String(v);
  const abs = exp < 0 ? -exp : exp;
  return e.slice(0, at) + (exp < 0 ? "e-" : "e+") + (abs < 10 ? "0" + abs : String(abs));
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** Bounds-checked protobuf wire reader over one message's bytes. */
class Reader {
  pos: number;

  constructor(
    private readonly buf: Uint8Array,
    private readonly view: DataView,
    start: number,
    readonly end: number,
    private readonly where: () => string,
  ) {
    this.pos = start;
  }

  fail(detail: string): never {
    throw new ParseError(`invalid protobuf MetricFamily stream, ${this.where()} at byte ${this.pos}: ${detail}`, 0);
  }

  /** An unsigned varint as a double: exact up to 2^53, rounded beyond (counts that large are floats in Go's text output too). */
  varint(): number {
    const buf = this.buf;
    let b = this.pos < this.end ? buf[this.pos++]! : this.fail("truncated varint");
    if (b < 0x80) return b;
    let result = b & 0x7f;
    let scale = 128;
    for (let i = 1; i < 10; i++) {
      b = this.pos < this.end ? buf[this.pos++]! : this.fail("truncated varint");
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return this.fail("varint longer than 10 bytes");
  }

  /** A two's-complement int64 varint (negative timestamps take all ten bytes). */
  int64(): number {
    const start = this.pos;
    const approx = this.varint();
    if (approx < 2 ** 53) return approx;
    let v = 0n;
    let shift = 0n;
    for (let i = start; i < this.pos; i++) {
      v |= BigInt(this.buf[i]! & 0x7f) << shift;
      shift += 7n;
    }
    return Number(BigInt.asIntN(64, v));
  }

  double(): number {
    if (this.end - this.pos < 8) this.fail("truncated double");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  /** Start of a length-delimited field's bytes; `pos` moves past them. */
  bytes(): number {
    const len = this.varint();
    const start = this.pos;
    if (len > this.end - start) this.fail(`length ${len} runs past the end of the enclosing message`);
    this.pos = start + len;
    return start;
  }

  string(): string {
    const start = this.bytes();
    const buf = this.buf;
    const end = this.pos;
    if (end - start <= 64) {
      let s = "";
      let i = start;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === end) return s;
    }
    try {
      return utf8.decode(buf.subarray(start, end));
    } catch {
      this.pos = start;
      return this.fail("string is not valid UTF-8");
    }
  }

  /** A field key: field number in the high bits, wire type in the low three. */
  key(): number {
    const k = this.varint();
    if (k < 8 || k >= 2 ** 32) this.fail(`invalid field key ${k}`);
    return k;
  }

  /** Reads a field of the given wire type only if it matches, else fails: a type mismatch is corrupt input. */
  expect(key: number, wire: number): void {
    if ((key & 7) !== wire) this.fail(`field ${Math.floor(key / 8)} has wire type ${key & 7}, expected ${wire}`);
  }

  skip(key: number): void {
    switch (key & 7) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_FIXED64:
        if (this.end - this.pos < 8) this.fail("truncated fixed64 field");
        this.pos += 8;
        return;
      case WIRE_BYTES:
        this.bytes();
        return;
      case WIRE_FIXED32:
        if (this.end - this.pos < 4) this.fail("truncated fixed32 field");
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${key & 7} (field ${Math.floor(key / 8)})`);
    }
  }
}

interface Quantile {
  quantile: number;
  value: number;
}

interface Bucket {
  upperBound: number;
  count: number;
  countFloat: number;
}

/** One Metric message as read: only the part the family's type calls for is used. */
interface MetricParts {
  labels: Array<[string, string]>;
  timestampMs?: number;
  simple?: number;
  sampleCount: number;
  sampleCountFloat: number;
  sampleSum: number;
  quantiles: Quantile[];
  buckets: Bucket[];
  hasPart: boolean;
}

/** Metric field numbers of the value sub-messages, by family type. */
const VALUE_FIELD: Readonly<Record<MetricType, number>> = { gauge: 2, counter: 3, summary: 4, untyped: 5, histogram: 7 };

function readLabelPair(r: Reader, end: number, into: Array<[string, string]>): void {
  let name = "";
  let value = "";
  while (r.pos < end) {
    const key = r.key();
    if (key >> 3 === 1) r.expect(key, WIRE_BYTES), (name = r.string());
    else if (key >> 3 === 2) r.expect(key, WIRE_BYTES), (value = r.string());
    else r.skip(key);
  }
  into.push([name, value]);
}

/** Gauge, Counter and Untyped all carry `optional double value = 1`. */
function readSimple(r: Reader, end: number, m: MetricParts): void {
  m.simple ??= 0;
  while (r.pos < end) {
    const key = r.key();
    if (key >> 3 === 1) r.expect(key, WIRE_FIXED64), (m.simple = r.double());
    else r.skip(key);
  }
}

function readSummary(r: Reader, end: number, m: MetricParts): void {
  while (r.pos < end) {
    const key = r.key();
    switch (key >> 3) {
      case 1:
        r.expect(key, WIRE_VARINT);
        m.sampleCount = r.varint();
        break;
      case 2:
        r.expect(key, WIRE_FIXED64);
        m.sampleSum = r.double();
        break;
      case 3: {
        r.expect(key, WIRE_BYTES);
        const start = r.bytes();
        const stop = r.pos;
        r.pos = start;
        const q: Quantile = { quantile: 0, value: 0 };
        while (r.pos < stop) {
          const k = r.key();
          if (k >> 3 === 1) r.expect(k, WIRE_FIXED64), (q.quantile = r.double());
          else if (k >> 3 === 2) r.expect(k, WIRE_FIXED64), (q.value = r.double());
          else r.skip(k);
        }
        m.quantiles.push(q);
        break;
      }
      default:
        r.skip(key);
    }
  }
}

function readHistogram(r: Reader, end: number, m: MetricParts): void {
  while (r.pos < end) {
    const key = r.key();
    switch (key >> 3) {
      case 1:
        r.expect(key, WIRE_VARINT);
        m.sampleCount = r.varint();
        break;
      case 2:
        r.expect(key, WIRE_FIXED64);
        m.sampleSum = r.double();
        break;
      case 4:
        r.expect(key, WIRE_FIXED64);
        m.sampleCountFloat = r.double();
        break;
      case 3: {
        r.expect(key, WIRE_BYTES);
        const start = r.bytes();
        const stop = r.pos;
        r.pos = start;
        const b: Bucket = { upperBound: 0, count: 0, countFloat: 0 };
        while (r.pos < stop) {
          const k = r.key();
          if (k >> 3 === 1) r.expect(k, WIRE_VARINT), (b.count = r.varint());
          else if (k >> 3 === 2) r.expect(k, WIRE_FIXED64), (b.upperBound = r.double());
          else if (k >> 3 === 4) r.expect(k, WIRE_FIXED64), (b.countFloat = r.double());
          else r.skip(k);
        }
        m.buckets.push(b);
        break;
      }
      default:
        r.skip(key);
    }
  }
}

function readMetric(r: Reader, end: number, type: MetricType): MetricParts {
  const m: MetricParts = {
    labels: [],
    sampleCount: 0,
    sampleCountFloat: 0,
    sampleSum: 0,
    quantiles: [],
    buckets: [],
    hasPart: false,
  };
  const valueField = VALUE_FIELD[type];
  while (r.pos < end) {
    const key = r.key();
    const field = key >> 3;
    if (field === 1) {
      r.expect(key, WIRE_BYTES);
      const start = r.bytes();
      const stop = r.pos;
      r.pos = start;
      readLabelPair(r, stop, m.labels);
    } else if (field === 6) {
      r.expect(key, WIRE_VARINT);
      m.timestampMs = r.int64();
    } else if (field === valueField) {
      // A sub-message given twice merges, as protobuf specifies: read both into the same parts.
      r.expect(key, WIRE_BYTES);
      const start = r.bytes();
      const stop = r.pos;
      r.pos = start;
      m.hasPart = true;
      if (type === "summary") readSummary(r, stop, m);
      else if (type === "histogram") readHistogram(r, stop, m);
      else readSimple(r, stop, m);
    } else {
      r.skip(key);
    }
  }
  return m;
}

/** Appends the samples of one Metric, in the order Go's text writer would write them. */
function flatten(name: string, type: MetricType, m: MetricParts, out: Sample[]): void {
  const base: Record<string, string> = {};
  for (const [k, v] of m.labels) setLabel(base, k, v);
  const ts = m.timestampMs;
  const push = (sampleName: string, labels: Labels, value: number): void => {
    out.push(ts === undefined ? { name: sampleName, labels, value } : { name: sampleName, labels, value, timestampMs: ts });
  };
  const withExtra = (label: string, v: number): Labels => ({ ...base, [label]: formatGoFloat(v) });
  if (type === "summary") {
    for (const q of m.quantiles) push(name, withExtra("quantile", q.quantile), q.value);
    push(name + "_sum", base, m.sampleSum);
    push(name + "_count", { ...base }, m.sampleCount);
  } else if (type === "histogram") {
    const count = m.sampleCountFloat > 0 ? m.sampleCountFloat : m.sampleCount;
    let infSeen = false;
    for (const b of m.buckets) {
      push(name + "_bucket", withExtra("le", b.upperBound), b.countFloat > 0 ? b.countFloat : b.count);
      if (b.upperBound === Infinity) infSeen = true;
    }
    if (!infSeen) push(name + "_bucket", withExtra("le", Infinity), count);
    push(name + "_sum", base, m.sampleSum);
    push(name + "_count", { ...base }, count);
  } else {
    push(name, base, m.simple ?? 0);
  }
}

function decodeFamily(r: Reader, end: number, where: { index: number; name: string }): MetricFamily | undefined {
  let name = "";
  let help: string | undefined;
  let typeNumber = 0;
  const metrics: Array<[number, number]> = [];
  while (r.pos < end) {
    const key = r.key();
    switch (key >> 3) {
      case 1:
        r.expect(key, WIRE_BYTES);
        name = r.string();
        where.name = name;
        break;
      case 2:
        r.expect(key, WIRE_BYTES);
        help = r.string();
        break;
      case 3:
        r.expect(key, WIRE_VARINT);
        typeNumber = r.varint();
        break;
      case 4: {
        // Metrics are decoded once the type is known; protobuf allows fields in any order.
        r.expect(key, WIRE_BYTES);
        const start = r.bytes();
        metrics.push([start, r.pos]);
        break;
      }
      default:
        r.skip(key);
    }
  }
  if (metrics.length === 0) return undefined;
  if (!isValidMetricName(name)) r.fail(`invalid metric name ${JSON.stringify(name)}`);
  const type = TYPE_BY_NUMBER[typeNumber];
  if (type === undefined) {
    r.fail(typeNumber === 5 ? `gauge histogram ${name} is not supported` : `unknown metric type ${typeNumber} for ${name}`);
  }
  const samples: Sample[] = [];
  const reserved = type === "histogram" ? "le" : type === "summary" ? "quantile" : "";
  for (const [start, stop] of metrics) {
    r.pos = start;
    const m = readMetric(r, stop, type);
    if (!m.hasPart) r.fail(`a metric of ${type} ${name} has no ${type} value`);
    const seen = new Set<string>();
    for (const [label] of m.labels) {
      if (!isValidLabelName(label) || label === "__name__") r.fail(`invalid label name ${JSON.stringify(label)} in ${name}`);
      if (label === reserved) r.fail(`label "${reserved}" is reserved in ${type} ${name}`);
      if (seen.has(label)) r.fail(`duplicate label name ${JSON.stringify(label)} in ${name}`);
      seen.add(label);
    }
    flatten(name, type, m, samples);
  }
  const family: MetricFamily = help === undefined ? { name, type, samples } : { name, type, help, samples };
  return family;
}

/**
 * Decodes a delimited stream. Families without metrics are dropped; when one name comes twice, the later
 * message replaces the earlier (Pushgateway keys decoded families by name the same way). Throws ParseError.
 */
export function decodeDelimited(buf: Uint8Array): MetricFamily[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const where = { index: 0, name: "" };
  const r = new Reader(buf, view, 0, buf.length, () =>
    where.name ? `message ${where.index} (${JSON.stringify(where.name)})` : `message ${where.index}`,
  );
  const families = new Map<string, MetricFamily>();
  while (r.pos < buf.length) {
    where.index++;
    where.name = "";
    const start = r.bytes();
    const stop = r.pos;
    r.pos = start;
    const family = decodeFamily(r, stop, where);
    r.pos = stop;
    if (family) families.set(family.name, family);
  }
  return [...families.values()];
}

/** Growable protobuf writer; nested messages are written to a child and copied in with their length. */
class Writer {
  buf = new Uint8Array(256);
  view = new DataView(this.buf.buffer);
  len = 0;

  private room(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  /** Unsigned varint of a non-negative integer up to 2^64. */
  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.len++] = v;
  }

  int64(v: number): void {
    if (v >= 0) return this.varint(v);
    let u = BigInt.asUintN(64, BigInt(v));
    this.room(10);
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.len++] = Number(u);
  }

  key(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  double(field: number, v: number): void {
    this.key(field, WIRE_FIXED64);
    this.room(8);
    this.view.setFloat64(this.len, v, true);
    this.len += 8;
  }

  string(field: number, s: string): void {
    this.key(field, WIRE_BYTES);
    const max = s.length * 3;
    this.room(max + 5);
    // Write the bytes after a maximal 5-byte length slot, then move them down to fit the real length.
    const at = this.len + 5;
    const { written } = encoder.encodeInto(s, this.buf.subarray(at, at + max));
    this.varint(written);
    this.buf.copyWithin(this.len, at, at + written);
    this.len += written;
  }

  message(field: number, child: Writer): void {
    this.key(field, WIRE_BYTES);
    this.delimited(child);
  }

  /** A length prefix and the child's bytes. */
  delimited(child: Writer): void {
    this.varint(child.len);
    this.room(child.len);
    this.buf.set(child.buf.subarray(0, child.len), this.len);
    this.len += child.len;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const encoder = new TextEncoder();

function writeLabels(w: Writer, labels: Labels, skip: string): void {
  for (const k in labels) {
    if (k === skip) continue;
    const pair = new Writer();
    pair.string(1, k);
    pair.string(2, labels[k]!);
    w.message(1, pair);
  }
}

/** Count fields are uint64 in the message; anything else (fractions, negatives, NaN) needs the float field. */
function isUint64(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 2 ** 64;
}

interface Grouped {
  labels: Labels;
  timestampMs?: number;
  parts: Sample[];
}

/** Histogram and summary samples regrouped into one Metric per label set, ignoring `le`/`quantile`. */
function groupByLabels(samples: readonly Sample[], reserved: string): Grouped[] {
  const groups = new Map<string, Grouped>();
  for (const s of samples) {
    const keys = Object.keys(s.labels).filter((k) => k !== reserved).sort();
    let sig = "";
    for (const k of keys) sig += k + "\u0000" + s.labels[k] + "\u0000";
    let g = groups.get(sig);
    if (!g) {
      g = { labels: s.labels, parts: [] };
      groups.set(sig, g);
    }
    if (g.timestampMs === undefined && s.timestampMs !== undefined) g.timestampMs = s.timestampMs;
    g.parts.push(s);
  }
  return [...groups.values()];
}

function boundOf(s: Sample, label: string): number {
  const v = s.labels[label];
  const f = v === undefined ? undefined : parseGoFloat(v);
  if (f === undefined) throw new Error(`cannot encode ${s.name}: label ${label}=${JSON.stringify(v)} is not a float`);
  return f;
}

function encodeMetric(family: MetricFamily, g: Grouped): Writer {
  const m = new Writer();
  const { name, type } = family;
  if (type === "histogram" || type === "summary") {
    const reserved = type === "histogram" ? "le" : "quantile";
    writeLabels(m, g.labels, reserved);
    const body = new Writer();
    for (const s of g.parts) {
      if (s.name === name + "_sum") body.double(2, s.value);
      else if (s.name === name + "_count") {
        if (isUint64(s.value)) body.key(1, WIRE_VARINT), body.varint(s.value);
        else if (type === "histogram") body.double(4, s.value);
        else throw new Error(`cannot encode ${s.name}: summary count ${s.value} is not an unsigned integer`);
      } else if (type === "histogram" && s.name === name + "_bucket") {
        const bucket = new Writer();
        if (isUint64(s.value)) bucket.key(1, WIRE_VARINT), bucket.varint(s.value);
        else bucket.double(4, s.value);
        bucket.double(2, boundOf(s, "le"));
        body.message(3, bucket);
      } else if (type === "summary" && s.name === name) {
        const q = new Writer();
        q.double(1, boundOf(s, "quantile"));
        q.double(2, s.value);
        body.message(3, q);
      } else {
        throw new Error(`cannot encode sample ${s.name} as part of ${type} ${name}`);
      }
    }
    m.message(VALUE_FIELD[type], body);
  } else {
    const s = g.parts[0]!;
    if (s.name !== name) throw new Error(`cannot encode sample ${s.name} as part of ${type} ${name}`);
    writeLabels(m, g.labels, "");
    const body = new Writer();
    body.double(1, s.value);
    m.message(VALUE_FIELD[type], body);
  }
  if (g.timestampMs !== undefined) m.key(6, WIRE_VARINT), m.int64(g.timestampMs);
  return m;
}

/** Encodes families as a delimited stream; histograms and summaries are regrouped from their flat samples. */
export function encodeDelimited(families: readonly MetricFamily[]): Uint8Array {
  const out = new Writer();
  for (const family of families) {
    const f = new Writer();
    f.string(1, family.name);
    if (family.help !== undefined) f.string(2, family.help);
    f.key(3, WIRE_VARINT);
    f.varint(NUMBER_BY_TYPE[family.type]);
    const groups =
      family.type === "histogram" || family.type === "summary"
        ? groupByLabels(family.samples, family.type === "histogram" ? "le" : "quantile")
        : family.samples.map((s): Grouped => ({ labels: s.labels, timestampMs: s.timestampMs, parts: [s] }));
    for (const g of groups) f.message(4, encodeMetric(family, g));
    out.delimited(f);
  }
  return out.bytes();
}
