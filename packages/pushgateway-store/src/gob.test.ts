import { expect, test } from "bun:test";
import { decodeGob, GobError } from "./gob.ts";

/** One gob message: its byte count, then the bytes (all short enough for a one-byte count here). */
const message = (...bytes: number[]) => [bytes.length, ...bytes];
const str = (s: string) => [s.length, ...Buffer.from(s)];

test("a map[string]int sent at the top level: its type definition, then the singleton value", () => {
  const stream = new Uint8Array([
    // type -65: wireType{MapT: mapType{CommonType{Name: "m", Id: 65}, Key: string(6), Elem: int(2)}}
    ...message(0xff, 0x81, 0x04, 0x01, 0x01, ...str("m"), 0x01, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x01, 0x04, 0x00, 0x00),
    // value of type 65: singleton 0, two entries, "a" -> -2, "b" -> 300
    ...message(0xff, 0x82, 0x00, 0x02, ...str("a"), 0x03, ...str("b"), 0xfe, 0x02, 0x58),
  ]);
  expect(decodeGob(stream)).toEqual(new Map<unknown, unknown>([["a", -2], ["b", 300]]) as never);
});

test("a struct with a float and a GobEncoder's bytes; omitted fields stay absent", () => {
  const stream = new Uint8Array([
    // type -66: wireType{StructT: structType{CommonType{Name: "S", Id: 66}, Field: [{X, float(4)}, {B, bytes(5)}, {N, int(2)}]}}
    ...message(0xff, 0x83, 0x03, 0x01, 0x01, ...str("S"), 0x01, 0xff, 0x84, 0x00, 0x01, 0x03, 0x01, ...str("X"), 0x01, 0x08, 0x00, 0x01, ...str("B"), 0x01, 0x0a, 0x00, 0x01, ...str("N"), 0x01, 0x04, 0x00, 0x00, 0x00),
    // value of type 66: X = 1.5 (bits byte-reversed: 0xF83F), B = [1, 2], N left out (zero)
    ...message(0xff, 0x84, 0x01, 0xfe, 0xf8, 0x3f, 0x01, 0x02, 0x01, 0x02, 0x00),
  ]);
  expect(decodeGob(stream)).toEqual({ X: 1.5, B: new Uint8Array([1, 2]) });
});

test("truncated or undefined input is a GobError, not a crash or a hang", () => {
  expect(() => decodeGob(new Uint8Array([]))).toThrow(GobError);
  expect(() => decodeGob(new Uint8Array([0x05, 0xff]))).toThrow(GobError);
  expect(() => decodeGob(new Uint8Array(message(0xff, 0x82, 0x00, 0x01)))).toThrow("undefined type 65");
  expect(() => decodeGob(new TextEncoder().encode("this is not gob"))).toThrow(GobError);
  // A map claiming 2^56 entries in a 9-byte message.
  const huge = [...message(0xff, 0x81, 0x04, 0x01, 0x02, 0xff, 0x82, 0x00, 0x01, 0x0c, 0x01, 0x04, 0x00, 0x00), ...message(0xff, 0x82, 0x00, 0xf8, 1, 0, 0, 0, 0, 0, 0, 0)];
  expect(() => decodeGob(new Uint8Array(huge))).toThrow("exceeds the bytes left");
});
