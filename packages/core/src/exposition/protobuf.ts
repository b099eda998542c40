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
import { setLabel } from "./text-scan.ts";
import { formatValue } from "./render.ts";
import { Reader, WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT } from "./proto-wire.ts";

export const PROTOBUF_DELIMITED_CONTENT_TYPE =
  "application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited";

/** metrics.proto's MetricType enum; GAUGE_HISTOGRAM (5) has no place in the text model and is refused. */
const TYPE_BY_NUMBER: readonly MetricType[] = ["counter", "gauge", "summary", "untyped", "histogram"];

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
export const VALUE_FIELD: Readonly<Record<MetricType, number>> = { gauge: 2, counter: 3, summary: 4, untyped: 5, histogram: 7 };

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
