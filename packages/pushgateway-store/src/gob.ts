/**
 * A decoder for Go's encoding/gob streams, for the subset Pushgateway's persistence file uses: type
 * definitions (struct, map, slice, array, GobEncoder), the basic types, and one top-level value. Structs
 * decode to plain objects keyed by field name (fields the stream omits, i.e. zero values, are absent), maps
 * to Map, slices and arrays to arrays, GobEncoder/BinaryMarshaler values to their bytes.
 */

export class GobError extends Error {}

export type GobValue = boolean | number | bigint | string | Uint8Array | GobValue[] | Map<GobValue, GobValue> | GobStruct;
export interface GobStruct {
  [field: string]: GobValue;
}

type WireType =
  | { kind: "struct"; fields: { name: string; id: number }[] }
  | { kind: "map"; key: number; elem: number }
  | { kind: "slice"; elem: number }
  | { kind: "array"; elem: number; len: number }
  | { kind: "bytes" };

// The type ids gob predefines (encoding/gob/type.go).
const BOOL = 1;
const INT = 2;
const UINT = 3;
const FLOAT = 4;
const BYTES = 5;
const STRING = 6;
const COMPLEX = 7;
const INTERFACE = 8;

class Reader {
  pos = 0;
  private readonly utf8 = new TextDecoder();
  constructor(private readonly buf: Uint8Array) {}

  /** Below 128: the byte itself; else the byte is minus the count of big-endian bytes that follow. */
  bigUint(): bigint {
    if (this.pos >= this.buf.length) throw new GobError(`unexpected end of data at byte ${this.pos}`);
    const first = this.buf[this.pos++]!;
    if (first < 0x80) return BigInt(first);
    const n = 256 - first;
    if (n > 8 || this.pos + n > this.buf.length) throw new GobError(`bad unsigned integer at byte ${this.pos - 1}`);
    let v = 0n;
    for (let i = 0; i < n; i++) v = (v << 8n) | BigInt(this.buf[this.pos++]!);
    return v;
  }

  uint(): number {
    return Number(this.bigUint());
  }

  /** An element count: every element takes a byte at least, so a count beyond the bytes left is corrupt. */
  count(): number {
    const n = this.uint();
    if (n > this.buf.length - this.pos) throw new GobError(`count ${n} at byte ${this.pos} exceeds the bytes left`);
    return n;
  }

  /** Signed: the low bit says negative, the rest is the value (complemented when negative). */
  int(): number {
    const u = this.bigUint();
    return Number(u & 1n ? ~(u >> 1n) : u >> 1n);
  }

  /** A float64's bits, byte-reversed, sent as an unsigned integer. */
  float(): number {
    let u = this.bigUint();
    let bits = 0n;
    for (let i = 0; i < 8; i++) {
      bits = (bits << 8n) | (u & 0xffn);
      u >>= 8n;
    }
    const tmp = new DataView(new ArrayBuffer(8));
    tmp.setBigUint64(0, bits);
    return tmp.getFloat64(0);
  }

  bytes(): Uint8Array {
    const n = this.uint();
    if (this.pos + n > this.buf.length) throw new GobError(`byte string of ${n} bytes runs past the end at byte ${this.pos}`);
    const out = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  string(): string {
    return this.utf8.decode(this.bytes());
  }

  /** Reads a struct's (delta, value) pairs up to the 0 delta, handing each field number to `field`. */
  fields(field: (index: number) => void): void {
    let index = -1;
    for (let delta = this.uint(); delta !== 0; delta = this.uint()) {
      index += delta;
      field(index);
    }
  }
}

/** CommonType {Name string; Id int}: only the id matters here. */
function readCommonId(r: Reader): number {
  let id = 0;
  r.fields((i) => {
    if (i === 0) r.string();
    else if (i === 1) id = r.int();
    else throw new GobError(`unexpected CommonType field ${i}`);
  });
  return id;
}

/** wireType {ArrayT, SliceT, StructT, MapT, GobEncoderT, BinaryMarshalerT, TextMarshalerT}: one is set. */
function readWireType(r: Reader): WireType {
  let t: WireType | undefined;
  r.fields((kind) => {
    const ids: number[] = [];
    let fields: { name: string; id: number }[] = [];
    r.fields((i) => {
      if (i === 0) readCommonId(r);
      else if (kind === 2 && i === 1) {
        // structType.Field: []fieldType{Name string; Id int}
        fields = Array.from({ length: r.count() }, () => {
          const f = { name: "", id: 0 };
          r.fields((j) => (j === 0 ? (f.name = r.string()) : (f.id = r.int())));
          return f;
        });
      } else ids[i] = r.int();
    });
    if (kind === 0) t = { kind: "array", elem: ids[1] ?? 0, len: ids[2] ?? 0 };
    else if (kind === 1) t = { kind: "slice", elem: ids[1] ?? 0 };
    else if (kind === 2) t = { kind: "struct", fields };
    else if (kind === 3) t = { kind: "map", key: ids[1] ?? 0, elem: ids[2] ?? 0 };
    else if (kind <= 6) t = { kind: "bytes" };
    else throw new GobError(`unknown kind of type definition ${kind}`);
  });
  if (!t) throw new GobError("empty type definition");
  return t;
}

function readValue(r: Reader, types: Map<number, WireType>, id: number): GobValue {
  switch (id) {
    case BOOL:
      return r.uint() !== 0;
    case INT:
      return r.int();
    case UINT:
      return r.bigUint();
    case FLOAT:
      return r.float();
    case BYTES:
      return r.bytes();
    case STRING:
      return r.string();
    case COMPLEX:
      return [r.float(), r.float()];
    case INTERFACE:
      throw new GobError("interface values are not supported");
  }
  const t = types.get(id);
  if (!t) throw new GobError(`value of undefined type ${id}`);
  switch (t.kind) {
    case "bytes":
      return r.bytes();
    case "slice":
    case "array":
      return Array.from({ length: r.count() }, () => readValue(r, types, t.elem));
    case "map": {
      const out = new Map<GobValue, GobValue>();
      for (let n = r.count(); n > 0; n--) {
        const k = readValue(r, types, t.key);
        out.set(k, readValue(r, types, t.elem));
      }
      return out;
    }
    case "struct": {
      const out: GobStruct = {};
      r.fields((i) => {
        const f = t.fields[i];
        if (!f) throw new GobError(`field ${i} is beyond the ${t.fields.length} fields of its type`);
        out[f.name] = readValue(r, types, f.id);
      });
      return out;
    }
  }
}

/** Decodes the first value in a gob stream (the type definitions it needs come first). */
export function decodeGob(buf: Uint8Array): GobValue {
  const r = new Reader(buf);
  const types = new Map<number, WireType>();
  while (r.pos < buf.length) {
    const length = r.uint();
    const end = r.pos + length;
    if (end > buf.length) throw new GobError(`message of ${length} bytes runs past the end at byte ${r.pos}`);
    const id = r.int();
    if (id < 0) {
      types.set(-id, readWireType(r));
    } else {
      // A value that is not a struct is sent as the only field of an implicit struct: a 0 delta first.
      if (types.get(id)?.kind !== "struct" && r.uint() !== 0) throw new GobError("expected a singleton value");
      return readValue(r, types, id);
    }
    if (r.pos !== end) throw new GobError(`type definition ${-id} ends at byte ${r.pos}, its message at ${end}`);
  }
  throw new GobError("no value in the stream");
}
