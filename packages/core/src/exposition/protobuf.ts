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
import { isValidLabelName, isValidMetricName, partLabelOf, type NameValidation } from "./model.ts";
import { ParseError, parseGoFloat, setLabel } from "./parse.ts";
import { formatValue } from "./writer.ts";

export const PROTOBUF_DELIMITED_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_BYTES = 2;
const WIRE_FIXED32 = 5;

/** metrics.proto's MetricType enum; GAUGE_HISTOGRAM (5) has no place in the text model and is refused. */
const TYPE_BY_NUMBER: readonly MetricType[] = ["counter", "gauge", "summary", "untyped", "histogram"];
const NUMBER_BY_TYPE: Readonly<Record<MetricType, number>> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 };


const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bounds-checked protobuf wire reader. `end` is the limit of the message being read: entering a nested
 * message narrows it to that message's bytes, so a field can never run over into its parent's.
 */
class Reader {
  pos = 0;
  end: number;
  private readonly view: DataView;
  private readonly ascii: Buffer;

  constructor(
    private readonly buf: Uint8Array,
    private readonly where: () => string,
    /** Which metric and label names the stream may carry. */
    readonly names: NameValidation = "legacy",
  ) {
    this.end = buf.length;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    this.ascii = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
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

  /** Narrows reading to the length-delimited field that starts here; returns the outer limit for leave(). */
  enter(): number {
    const len = this.varint();
    if (len > this.end - this.pos) this.fail(`length ${len} runs past the end of the enclosing message`);
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  string(): string {
    const outer = this.enter();
    const { buf, pos: start, end } = this;
    this.leave(outer);
    for (let i = start; i < end; i++) {
      if (buf[i]! < 0x80) continue;
      try {
        return utf8.decode(buf.subarray(start, end));
      } catch {
        this.pos = start;
        return this.fail("string is not valid UTF-8");
      }
    }
    // All ASCII: a latin1 slice is the same string, several times cheaper than a UTF-8 decode.
    return this.ascii.toString("latin1", start, end);
  }

  /** A field key: field number in the high bits, wire type in the low three. */
  key(): number {
    const k = this.varint();
    if (k < 8 || k >= 2 ** 32) this.fail(`invalid field key ${k}`);
    return k;
  }

  /** A field whose wire type is not the one its number calls for is corrupt input. */
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
        this.leave(this.enter());
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
  labels: Record<string, string>;
  timestampMs?: number;
  simple: number;
  sampleCount: number;
  sampleCountFloat: number;
  sampleSum: number;
  quantiles?: Quantile[];
  buckets?: Bucket[];
  hasPart: boolean;
}

/** Metric field numbers of the value sub-messages, by family type. */
const VALUE_FIELD: Readonly<Record<MetricType, number>> = { gauge: 2, counter: 3, summary: 4, untyped: 5, histogram: 7 };

/** Reads one LabelPair into `labels`, held to the rules the text parser applies to label names. */
function readLabelPair(r: Reader, labels: Record<string, string>, reserved: string): void {
  let name = "";
  let value = "";
  while (r.pos < r.end) {
    const key = r.key();
    if (key >> 3 === 1) r.expect(key, WIRE_BYTES), (name = r.string());
    else if (key >> 3 === 2) r.expect(key, WIRE_BYTES), (value = r.string());
    else r.skip(key);
  }
  if (!isValidLabelName(name, r.names) || name === "__name__") r.fail(`invalid label name ${JSON.stringify(name)}`);
  if (name === reserved) r.fail(`label "${reserved}" is reserved in a ${reserved === "le" ? "histogram" : "summary"}`);
  if (Object.hasOwn(labels, name)) r.fail(`duplicate label name ${JSON.stringify(name)}`);
  setLabel(labels, name, value);
}

/** Gauge, Counter and Untyped all carry `optional double value = 1`. */
function readSimple(r: Reader, m: MetricParts): void {
  while (r.pos < r.end) {
    const key = r.key();
    if (key >> 3 === 1) r.expect(key, WIRE_FIXED64), (m.simple = r.double());
    else r.skip(key);
  }
}

function readQuantile(r: Reader): Quantile {
  const q: Quantile = { quantile: 0, value: 0 };
  while (r.pos < r.end) {
    const k = r.key();
    if (k >> 3 === 1) r.expect(k, WIRE_FIXED64), (q.quantile = r.double());
    else if (k >> 3 === 2) r.expect(k, WIRE_FIXED64), (q.value = r.double());
    else r.skip(k);
  }
  return q;
}

function readBucket(r: Reader): Bucket {
  const b: Bucket = { upperBound: 0, count: 0, countFloat: 0 };
  while (r.pos < r.end) {
    const k = r.key();
    if (k >> 3 === 1) r.expect(k, WIRE_VARINT), (b.count = r.varint());
    else if (k >> 3 === 2) r.expect(k, WIRE_FIXED64), (b.upperBound = r.double());
    else if (k >> 3 === 4) r.expect(k, WIRE_FIXED64), (b.countFloat = r.double());
    else r.skip(k);
  }
  return b;
}

/** Summary (field 3: quantiles) and Histogram (field 3: buckets, 4: float count) share fields 1 and 2. */
function readComposite(r: Reader, m: MetricParts, histogram: boolean): void {
  while (r.pos < r.end) {
    const key = r.key();
    const field = key >> 3;
    if (field === 1) {
      r.expect(key, WIRE_VARINT);
      m.sampleCount = r.varint();
    } else if (field === 2) {
      r.expect(key, WIRE_FIXED64);
      m.sampleSum = r.double();
    } else if (field === 3) {
      r.expect(key, WIRE_BYTES);
      const outer = r.enter();
      if (histogram) (m.buckets ??= []).push(readBucket(r));
      else (m.quantiles ??= []).push(readQuantile(r));
      r.leave(outer);
    } else if (field === 4 && histogram) {
      r.expect(key, WIRE_FIXED64);
      m.sampleCountFloat = r.double();
    } else {
      r.skip(key);
    }
  }
}

function readMetric(r: Reader, type: MetricType): MetricParts {
  const m: MetricParts = { labels: {}, simple: 0, sampleCount: 0, sampleCountFloat: 0, sampleSum: 0, hasPart: false };
  const reserved = partLabelOf(type) ?? "";
  const valueField = VALUE_FIELD[type];
  while (r.pos < r.end) {
    const key = r.key();
    const field = key >> 3;
    if (field === 1) {
      r.expect(key, WIRE_BYTES);
      const outer = r.enter();
      readLabelPair(r, m.labels, reserved);
      r.leave(outer);
    } else if (field === 6) {
      r.expect(key, WIRE_VARINT);
      m.timestampMs = r.int64();
      // As in the text parser: a timestamp a double cannot hold exactly could not be written back unchanged.
      if (!Number.isSafeInteger(m.timestampMs)) r.fail(`timestamp ${m.timestampMs} is out of range (beyond ±2^53 ms)`);
    } else if (field === valueField) {
      // A sub-message given twice merges, as protobuf specifies: read both into the same parts.
      r.expect(key, WIRE_BYTES);
      const outer = r.enter();
      m.hasPart = true;
      if (type === "summary" || type === "histogram") readComposite(r, m, type === "histogram");
      else readSimple(r, m);
      r.leave(outer);
    } else {
      r.skip(key);
    }
  }
  return m;
}

function sample(name: string, labels: Labels, value: number, timestampMs: number | undefined): Sample {
  return timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };
}

/** Appends the samples of one Metric, in the order Go's text writer would write them. */
function flatten(name: string, type: MetricType, m: MetricParts, out: Sample[]): void {
  const { labels, timestampMs: ts } = m;
  if (type === "summary") {
    for (const q of m.quantiles ?? []) out.push(sample(name, { ...labels, quantile: formatValue(q.quantile) }, q.value, ts));
    out.push(sample(name + "_sum", labels, m.sampleSum, ts));
    out.push(sample(name + "_count", { ...labels }, m.sampleCount, ts));
  } else if (type === "histogram") {
    const count = m.sampleCountFloat > 0 ? m.sampleCountFloat : m.sampleCount;
    let infSeen = false;
    for (const b of m.buckets ?? []) {
      const le = formatValue(b.upperBound);
      out.push(sample(name + "_bucket", { ...labels, le }, b.countFloat > 0 ? b.countFloat : b.count, ts));
      if (b.upperBound === Infinity) infSeen = true;
    }
    if (!infSeen) out.push(sample(name + "_bucket", { ...labels, le: "+Inf" }, count, ts));
    out.push(sample(name + "_sum", labels, m.sampleSum, ts));
    out.push(sample(name + "_count", { ...labels }, count, ts));
  } else {
    out.push(sample(name, labels, m.simple, ts));
  }
}

function decodeFamily(r: Reader, where: { index: number; name: string }): MetricFamily | undefined {
  let name = "";
  let help: string | undefined;
  let typeNumber = 0;
  /** Start and end offsets of each Metric, pairwise. */
  const metrics: number[] = [];
  while (r.pos < r.end) {
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
        const outer = r.enter();
        metrics.push(r.pos, r.end);
        r.leave(outer);
        break;
      }
      default:
        r.skip(key);
    }
  }
  if (metrics.length === 0) return undefined;
  if (!isValidMetricName(name, r.names)) r.fail(`invalid metric name ${JSON.stringify(name)}`);
  const type = TYPE_BY_NUMBER[typeNumber];
  if (type === undefined) {
    r.fail(typeNumber === 5 ? `gauge histogram ${name} is not supported` : `unknown metric type ${typeNumber} for ${name}`);
  }
  const samples: Sample[] = [];
  const familyEnd = r.end;
  for (let i = 0; i < metrics.length; i += 2) {
    r.pos = metrics[i]!;
    r.end = metrics[i + 1]!;
    const m = readMetric(r, type);
    if (!m.hasPart) r.fail(`a metric of ${type} ${name} has no ${type} value`);
    flatten(name, type, m, samples);
  }
  r.pos = r.end = familyEnd;
  return help === undefined ? { name, type, samples } : { name, type, help, samples };
}

/**
 * Decodes a delimited stream. Families without metrics are dropped; when one name comes twice, the later
 * message replaces the earlier (Pushgateway keys decoded families by name the same way). Throws ParseError.
 */
export function decodeDelimited(buf: Uint8Array, names: NameValidation = "legacy"): MetricFamily[] {
  const where = { index: 0, name: "" };
  const r = new Reader(buf, () => (where.name ? `message ${where.index} (${JSON.stringify(where.name)})` : `message ${where.index}`), names);
  const families = new Map<string, MetricFamily>();
  while (r.pos < buf.length) {
    where.index++;
    where.name = "";
    const outer = r.enter();
    const family = decodeFamily(r, where);
    r.leave(outer);
    if (family) families.set(family.name, family);
  }
  return [...families.values()];
}

/**
 * Growable protobuf writer. A nested message gets a one-byte length slot up front and is written in place;
 * when it turns out to be 128 bytes or longer, its bytes are moved up to make room for the longer varint.
 */
/** Protobuf wire writer; nested messages are length-prefixed in place with `begin`/`end`. */
export class ProtoWriter {
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  len = 0;

  room(n: number): void {
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
    const buf = this.buf;
    while (v >= 0x80) {
      buf[this.len++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    buf[this.len++] = v;
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

  /** Opens a length-delimited field (or, with field 0, a bare delimited message); returns its length slot. */
  begin(field: number): number {
    if (field > 0) this.key(field, WIRE_BYTES);
    this.room(1);
    return this.len++;
  }

  end(slot: number): void {
    let len = this.len - slot - 1;
    if (len >= 0x80) {
      let extra = 0;
      for (let v = len; v >= 0x80; v = Math.floor(v / 128)) extra++;
      this.room(extra);
      this.buf.copyWithin(slot + 1 + extra, slot + 1, this.len);
      this.len += extra;
    }
    const buf = this.buf;
    while (len >= 0x80) {
      buf[slot++] = (len % 128) | 0x80;
      len = Math.floor(len / 128);
    }
    buf[slot] = len;
  }

  string(field: number, s: string): void {
    const slot = this.begin(field);
    const n = s.length;
    this.room(n);
    const buf = this.buf;
    let i = 0;
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) break;
      buf[this.len + i] = c;
    }
    if (i === n) {
      this.len += n;
    } else {
      this.room(n * 3);
      this.len += encoder.encodeInto(s, this.buf.subarray(this.len, this.len + n * 3)).written;
    }
    this.end(slot);
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const encoder = new TextEncoder();

function writeLabels(w: ProtoWriter, labels: Labels, skip: string): void {
  for (const k in labels) {
    if (k === skip) continue;
    const slot = w.begin(1);
    w.string(1, k);
    w.string(2, labels[k]!);
    w.end(slot);
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

function writeCount(w: ProtoWriter, field: number, floatField: number, v: number, what: string): void {
  if (isUint64(v)) w.key(field, WIRE_VARINT), w.varint(v);
  else if (floatField > 0) w.double(floatField, v);
  else throw new Error(`cannot encode ${what}: count ${v} is not an unsigned integer`);
}

/** One Metric of a histogram or summary, from its flat samples. */
function writeComposite(w: ProtoWriter, family: MetricFamily, g: Grouped): void {
  const { name, type } = family;
  writeLabels(w, g.labels, partLabelOf(type)!);
  const body = w.begin(VALUE_FIELD[type]);
  for (const s of g.parts) {
    if (s.name === name + "_sum") {
      w.double(2, s.value);
    } else if (s.name === name + "_count") {
      writeCount(w, 1, type === "histogram" ? 4 : 0, s.value, s.name);
    } else if (type === "histogram" && s.name === name + "_bucket") {
      const bucket = w.begin(3);
      writeCount(w, 1, 4, s.value, s.name);
      w.double(2, boundOf(s, "le"));
      w.end(bucket);
    } else if (type === "summary" && s.name === name) {
      const q = w.begin(3);
      w.double(1, boundOf(s, "quantile"));
      w.double(2, s.value);
      w.end(q);
    } else {
      throw new Error(`cannot encode sample ${s.name} as part of ${type} ${name}`);
    }
  }
  w.end(body);
}

/** Encodes families as a delimited stream; histograms and summaries are regrouped from their flat samples. */
export function encodeDelimited(families: readonly MetricFamily[]): Uint8Array {
  const w = new ProtoWriter();
  for (const family of families) {
    const { name, type } = family;
    const message = w.begin(0);
    w.string(1, name);
    if (family.help !== undefined) w.string(2, family.help);
    w.key(3, WIRE_VARINT);
    w.varint(NUMBER_BY_TYPE[type]);
    if (type === "histogram" || type === "summary") {
      for (const g of groupByLabels(family.samples, partLabelOf(type)!)) {
        const metric = w.begin(4);
        writeComposite(w, family, g);
        if (g.timestampMs !== undefined) w.key(6, WIRE_VARINT), w.int64(g.timestampMs);
        w.end(metric);
      }
    } else {
      for (const s of family.samples) {
        if (s.name !== name) throw new Error(`cannot encode sample ${s.name} as part of ${type} ${name}`);
        const metric = w.begin(4);
        writeLabels(w, s.labels, "");
        const body = w.begin(VALUE_FIELD[type]);
        w.double(1, s.value);
        w.end(body);
        if (s.timestampMs !== undefined) w.key(6, WIRE_VARINT), w.int64(s.timestampMs);
        w.end(metric);
      }
    }
    w.end(message);
  }
  return w.bytes();
}
