/**
 * Marshalling of values by signature (the specification's "Marshaling (Wire Format)"): writes little-endian;
 * reads either byte order, since a bus forwards each sender's bytes as they came. Unix file descriptors ('h')
 * are not supported: nothing the agent asks for passes one.
 */
import { alignment, DBusProtocolError, innerTypes, MAX_ARRAY_BYTES, MAX_DEPTH, splitSignature, type DBusValue, type Variant } from "./signature.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Appends marshalled values; offsets (and so alignment) count from the start of the message. */
export class Writer {
  private buf = new Uint8Array(256);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  align(n: number): void {
    const pad = (n - (this.length % n)) % n;
    this.reserve(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }

  bytes(): Uint8Array {
    return this.buf.slice(0, this.length);
  }

  setUint32(offset: number, v: number): void {
    this.view.setUint32(offset, v, true);
  }

  /** Writes one value of the single complete type `type`. */
  write(type: string, v: DBusValue): void {
    this.align(alignment(type));
    const c = type[0];
    const num = (): number => {
      if (typeof v !== "number") throw new TypeError(`D-Bus type ${type} wants a number, got ${typeof v}`);
      return v;
    };
    switch (c) {
      case "y":
        this.reserve(1);
        this.view.setUint8(this.length++, num());
        return;
      case "b":
        if (typeof v !== "boolean") throw new TypeError(`D-Bus type b wants a boolean, got ${typeof v}`);
        return this.fixed(4, (o) => this.view.setUint32(o, v ? 1 : 0, true));
      case "n":
        return this.fixed(2, (o) => this.view.setInt16(o, num(), true));
      case "q":
        return this.fixed(2, (o) => this.view.setUint16(o, num(), true));
      case "i":
        return this.fixed(4, (o) => this.view.setInt32(o, num(), true));
      case "u":
        return this.fixed(4, (o) => this.view.setUint32(o, num(), true));
      case "x":
      case "t": {
        if (typeof v !== "bigint" && typeof v !== "number") throw new TypeError(`D-Bus type ${c} wants a bigint, got ${typeof v}`);
        const big = BigInt(v);
        return this.fixed(8, (o) => (c === "x" ? this.view.setBigInt64(o, big, true) : this.view.setBigUint64(o, big, true)));
      }
      case "d":
        return this.fixed(8, (o) => this.view.setFloat64(o, num(), true));
      case "s":
      case "o":
      case "g":
        return this.string(c, v);
      case "v": {
        const variant = v as Variant;
        if (typeof variant !== "object" || typeof variant.signature !== "string") throw new TypeError("D-Bus type v wants a { signature, value }");
        if (splitSignature(variant.signature).length !== 1) throw new TypeError(`a variant holds one complete type, not "${variant.signature}"`);
        this.string("g", variant.signature);
        this.write(variant.signature, variant.value);
        return;
      }
      case "a":
        return this.array(type, v);
      case "(": {
        const members = innerTypes(type);
        if (!Array.isArray(v) || v.length !== members.length) throw new TypeError(`D-Bus struct ${type} wants an array of ${members.length} values`);
        members.forEach((t, i) => this.write(t, v[i]!));
        return;
      }
      default:
        throw new TypeError(`D-Bus type ${type} cannot be written`);
    }
  }

  private fixed(size: number, set: (offset: number) => void): void {
    this.reserve(size);
    set(this.length);
    this.length += size;
  }

  private string(c: "s" | "o" | "g", v: DBusValue): void {
    if (typeof v !== "string") throw new TypeError(`D-Bus type ${c} wants a string, got ${typeof v}`);
    const bytes = encoder.encode(v);
    if (bytes.includes(0)) throw new TypeError(`a D-Bus string holds no NUL: ${JSON.stringify(v)}`);
    if (c === "g") {
      if (bytes.length > 255) throw new TypeError("a D-Bus signature is at most 255 bytes");
      this.reserve(1);
      this.view.setUint8(this.length++, bytes.length);
    } else {
      this.fixed(4, (o) => this.view.setUint32(o, bytes.length, true));
    }
    this.reserve(bytes.length + 1);
    this.buf.set(bytes, this.length);
    this.buf[this.length + bytes.length] = 0;
    this.length += bytes.length + 1;
  }

  private array(type: string, v: DBusValue): void {
    const element = type.slice(1);
    const lengthAt = this.length;
    this.fixed(4, () => {});
    // the padding to the first element is not counted in the length, even when there is no element
    this.align(alignment(element));
    const start = this.length;
    if (element[0] === "{") {
      if (!(v instanceof Map)) throw new TypeError(`D-Bus dict ${type} wants a Map`);
      const [key, value] = innerTypes(element) as [string, string];
      for (const [k, val] of v) {
        this.align(8);
        this.write(key, k);
        this.write(value, val);
      }
    } else {
      if (!Array.isArray(v)) throw new TypeError(`D-Bus array ${type} wants an array`);
      for (const item of v) this.write(element, item);
    }
    const size = this.length - start;
    if (size > MAX_ARRAY_BYTES) throw new TypeError(`D-Bus array of ${size} bytes is over the 64 MiB limit`);
    this.view.setUint32(lengthAt, size, true);
  }
}

/** Reads marshalled values from `bytes`; offsets (and so alignment) count from the start of `bytes`. */
export class Reader {
  private readonly view: DataView;
  private depth = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly little: boolean,
    public pos = 0,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new DBusProtocolError(`message truncated: ${n} bytes wanted at offset ${this.pos} of ${this.bytes.length}`);
  }

  align(n: number): void {
    const pad = (n - (this.pos % n)) % n;
    this.need(pad);
    for (let i = 0; i < pad; i++) if (this.bytes[this.pos + i] !== 0) throw new DBusProtocolError(`non-zero padding at offset ${this.pos + i}`);
    this.pos += pad;
  }

  private u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.pos, this.little);
    this.pos += 4;
    return v;
  }

  /** Reads one value of the single complete type `type`. */
  read(type: string): DBusValue {
    this.align(alignment(type));
    const at = this.pos;
    const take = <T>(size: number, get: (o: number) => T): T => {
      this.need(size);
      this.pos += size;
      return get(at);
    };
    switch (type[0]) {
      case "y":
        return take(1, (o) => this.view.getUint8(o));
      case "b": {
        const v = this.u32();
        if (v > 1) throw new DBusProtocolError(`boolean ${v} at offset ${at}`);
        return v === 1;
      }
      case "n":
        return take(2, (o) => this.view.getInt16(o, this.little));
      case "q":
        return take(2, (o) => this.view.getUint16(o, this.little));
      case "i":
        return take(4, (o) => this.view.getInt32(o, this.little));
      case "u":
        return this.u32();
      case "x":
        return take(8, (o) => this.view.getBigInt64(o, this.little));
      case "t":
        return take(8, (o) => this.view.getBigUint64(o, this.little));
      case "d":
        return take(8, (o) => this.view.getFloat64(o, this.little));
      case "s":
      case "o":
        return this.string(this.u32());
      case "g":
        return this.string(take(1, (o) => this.view.getUint8(o)));
      case "v": {
        const signature = this.string(take(1, (o) => this.view.getUint8(o)));
        if (splitSignature(signature).length !== 1) throw new DBusProtocolError(`variant signature "${signature}" is not one complete type`);
        return { signature, value: this.nested(() => this.read(signature)) };
      }
      case "a":
        return this.nested(() => this.array(type));
      case "(":
        return this.nested(() => innerTypes(type).map((t) => this.read(t)));
      default:
        throw new DBusProtocolError(`type ${type} cannot be read`);
    }
  }

  private nested<T>(read: () => T): T {
    if (++this.depth > 2 * MAX_DEPTH) throw new DBusProtocolError("values nest too deeply");
    try {
      return read();
    } finally {
      this.depth--;
    }
  }

  private string(length: number): string {
    this.need(length + 1);
    if (this.bytes[this.pos + length] !== 0) throw new DBusProtocolError(`string at offset ${this.pos} is not NUL-terminated`);
    let s: string;
    try {
      s = decoder.decode(this.bytes.subarray(this.pos, this.pos + length));
    } catch {
      throw new DBusProtocolError(`string at offset ${this.pos} is not UTF-8`);
    }
    this.pos += length + 1;
    return s;
  }

  private array(type: string): DBusValue[] | Map<DBusValue, DBusValue> {
    const size = this.u32();
    if (size > MAX_ARRAY_BYTES) throw new DBusProtocolError(`array of ${size} bytes is over the 64 MiB limit`);
    const element = type.slice(1);
    this.align(alignment(element));
    const end = this.pos + size;
    this.need(size);
    if (element[0] === "{") {
      const [key, value] = innerTypes(element) as [string, string];
      const map = new Map<DBusValue, DBusValue>();
      while (this.pos < end) {
        this.align(8);
        const k = this.read(key);
        map.set(k, this.read(value));
      }
      if (this.pos !== end) throw new DBusProtocolError(`dict overruns its length at offset ${this.pos}`);
      return map;
    }
    const items: DBusValue[] = [];
    while (this.pos < end) items.push(this.read(element));
    if (this.pos !== end) throw new DBusProtocolError(`array overruns its length at offset ${this.pos}`);
    return items;
  }
}
