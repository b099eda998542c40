import { describe, expect, test } from "bun:test";
import { encodeWriteRequest } from "./wire.ts";

describe("WriteRequest encoding", () => {
  test("one series: labels, then a sample of value and timestamp", () => {
    const bytes = encodeWriteRequest([{ labels: ["__name__", "up", "job", "n"], value: 1, timestampMs: 1000 }]);
    // prettier-ignore
    const expected = [
      0x0a, 40, // timeseries (field 1), 40 bytes
      0x0a, 14, 0x0a, 8, ...Buffer.from("__name__"), 0x12, 2, ...Buffer.from("up"), // label
      0x0a, 8, 0x0a, 3, ...Buffer.from("job"), 0x12, 1, ...Buffer.from("n"), // label
      0x12, 12, 0x09, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, 0x10, 0xe8, 0x07, // sample: double 1.0, timestamp 1000
    ];
    expect([...bytes]).toEqual(expected);
  });

  test("a stale marker carries Prometheus's exact NaN bits", () => {
    const bytes = encodeWriteRequest([{ labels: ["__name__", "x"], value: 0, timestampMs: 1, stale: true }]);
    expect(Buffer.from(bytes).includes(Buffer.from([0x09, 0x02, 0, 0, 0, 0, 0, 0xf0, 0x7f]))).toBe(true);
  });
});
