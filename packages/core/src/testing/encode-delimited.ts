/**
 * MetricFamily values -> a protobuf-delimited stream, for tests and benchmarks that push protobuf the way
 * client_golang does. The agent never encodes families, so this stays out of the binary's import graph.
 */
import { type Labels, type MetricFamily, type MetricType, partLabelOf, type Sample } from "../exposition/model.ts";
import { parseGoFloat } from "../exposition/text-scan.ts";
import { ProtoWriter, WIRE_VARINT } from "../exposition/proto-wire.ts";
import { VALUE_FIELD } from "../exposition/protobuf.ts";

const NUMBER_BY_TYPE: Readonly<Record<MetricType, number>> = { counter: 0, gauge: 1, summary: 2, untyped: 3, histogram: 4 };

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
