/**
 * The protobuf wire format, read and written: a bounds-checked reader for the decoder of pushed
 * MetricFamily streams and a growable writer for remote write's messages.
 */
import type { NameValidation } from "./model.ts";
import { ParseError } from "./text-scan.ts";

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * Bounds-checked protobuf wire reader. `end` is the limit of the message being read: entering a nested
 * message narrows it to that message's bytes, so a field can never run over into its parent's.
 */
export class Reader {
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

const encoder = new TextEncoder();

/**
 * Growable protobuf writer. A nested message (`begin`/`end`) gets a one-byte length slot up front and is
 * written in place; when it turns out to be 128 bytes or longer, its bytes are moved up to make room for the
 * longer varint.
 */
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
