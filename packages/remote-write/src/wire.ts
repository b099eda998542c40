/**
 * Remote write 1.0 on the wire: a `prometheus.WriteRequest` protobuf (remote.proto / types.proto), snappy
 * block compressed. Only `timeseries` is written: one TimeSeries per sample, labels sorted by name as
 * receivers require.
 */
import { ProtoWriter } from "@agent/core";
import { compress } from "./snappy.ts";

export const WIRE_HEADERS = {
  "Content-Type": "application/x-protobuf",
  "Content-Encoding": "snappy",
  "X-Prometheus-Remote-Write-Version": "0.1.0",
} as const;

/** One sample to send. */
export interface WireSample {
  /** name, value, name, value...; sorted by name, `__name__` among them, no empty values. */
  labels: readonly string[];
  value: number;
  timestampMs: number;
  /** Sent as Prometheus's stale marker instead of `value`. */
  stale?: boolean;
}

const WIRE_FIXED64 = 1;
const WIRE_VARINT = 0;

/** Prometheus's staleness marker, a NaN whose bits must survive as they are (a JS NaN would not keep them). */
function writeStaleMarker(w: ProtoWriter): void {
  w.key(1, WIRE_FIXED64);
  w.room(8);
  w.view.setUint32(w.len, 0x00000002, true);
  w.view.setUint32(w.len + 4, 0x7ff00000, true);
  w.len += 8;
}

export function encodeWriteRequest(samples: readonly WireSample[]): Uint8Array {
  const w = new ProtoWriter();
  for (const s of samples) {
    const series = w.begin(1);
    const labels = s.labels;
    for (let i = 0; i < labels.length; i += 2) {
      const label = w.begin(1);
      w.string(1, labels[i]!);
      w.string(2, labels[i + 1]!);
      w.end(label);
    }
    const sample = w.begin(2);
    if (s.stale) writeStaleMarker(w);
    else w.double(1, s.value);
    w.key(2, WIRE_VARINT);
    w.int64(s.timestampMs);
    w.end(sample);
    w.end(series);
  }
  return w.bytes();
}

/** The request body: the encoded WriteRequest, snappy compressed. */
export function encodeBody(samples: readonly WireSample[]): Uint8Array {
  return compress(encodeWriteRequest(samples));
}
