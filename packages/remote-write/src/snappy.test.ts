import { describe, expect, test } from "bun:test";
import { compress, maxCompressedLength } from "./snappy.ts";

/** A reference decoder written from the format description (format_description.txt), to check the encoder against. */
function decompress(src: Uint8Array): Uint8Array {
  let pos = 0;
  let length = 0;
  for (let shift = 0; ; shift += 7) {
    const b = src[pos++]!;
    length += (b & 0x7f) * 2 ** shift;
    if (b < 0x80) break;
  }
  const out = new Uint8Array(length);
  let op = 0;
  while (pos < src.length) {
    const tag = src[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >>> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n |= src[pos++]! << (8 * i);
      }
      n += 1;
      out.set(src.subarray(pos, pos + n), op);
      pos += n;
      op += n;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | src[pos++]!;
    } else if (kind === 2) {
      len = (tag >>> 2) + 1;
      offset = src[pos]! | (src[pos + 1]! << 8);
      pos += 2;
    } else throw new Error("4-byte offsets are never written");
    if (offset === 0 || offset > op) throw new Error(`bad offset ${offset} at ${op}`);
    for (let i = 0; i < len; i++, op++) out[op] = out[op - offset]!;
  }
  if (op !== length) throw new Error(`decoded ${op} bytes, header says ${length}`);
  return out;
}

function random(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe("snappy block compression", () => {
  const text = new TextEncoder().encode(
    Array.from({ length: 5000 }, (_, i) => `node_cpu_seconds_total{cpu="${i % 64}",mode="idle"} ${i * 1.5}\n`).join(""),
  );
  const cases: Array<[string, Uint8Array]> = [
    ["empty", new Uint8Array(0)],
    ["one byte", new Uint8Array([7])],
    ["short, under the 16-byte match threshold", new TextEncoder().encode("abcabcabcabc")],
    ["random, incompressible", random(200_000, 1)],
    ["exposition text across several 64 KiB blocks", text],
    ["one repeated byte (long copies)", new Uint8Array(150_000).fill(0x41)],
    ["literal longer than 60 bytes then repeats", new Uint8Array([...random(300, 2), ...random(300, 2), ...random(70_000, 3)])],
  ];
  for (const [name, input] of cases) {
    test(`round trip: ${name}`, () => {
      const packed = compress(input);
      expect(packed.length).toBeLessThanOrEqual(maxCompressedLength(input.length));
      expect(decompress(packed)).toEqual(input);
    });
  }

  test("repetitive exposition text shrinks several times", () => {
    expect(compress(text).length * 4).toBeLessThan(text.length);
  });
});
