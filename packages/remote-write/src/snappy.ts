/**
 * Snappy block compression (the raw format remote write uses, not the framed stream), written here rather
 * than taken from npm: the compressor is ~80 lines, allocation-free per call apart from the output, and
 * needs nothing native in the compiled binary. It follows the reference encoder's scheme: 64 KiB blocks,
 * a hash table of 4-byte sequences, literals between matches, copies of at most 64 bytes.
 */

const BLOCK = 1 << 16;
const HASH_BITS = 14;
const table = new Int32Array(1 << HASH_BITS);

function load32(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
}

function hash(v: number): number {
  return Math.imul(v, 0x1e35a7bd) >>> (32 - HASH_BITS);
}

class Out {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  literal(src: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (n === 0) return;
    const m = n - 1;
    const buf = this.buf;
    if (m < 60) buf[this.pos++] = m << 2;
    else if (m < 0x100) (buf[this.pos++] = 60 << 2), (buf[this.pos++] = m);
    else if (m < 0x10000) (buf[this.pos++] = 61 << 2), (buf[this.pos++] = m & 0xff), (buf[this.pos++] = m >>> 8);
    else (buf[this.pos++] = 62 << 2), (buf[this.pos++] = m & 0xff), (buf[this.pos++] = (m >>> 8) & 0xff), (buf[this.pos++] = m >>> 16);
    buf.set(src.subarray(from, to), this.pos);
    this.pos += n;
  }

  /** One copy element: 1-byte offset form for short near copies, else the 2-byte offset form. */
  private copyOne(offset: number, len: number): void {
    const buf = this.buf;
    if (len < 12 && offset < 2048) {
      buf[this.pos++] = 1 | ((len - 4) << 2) | ((offset >>> 8) << 5);
      buf[this.pos++] = offset & 0xff;
    } else {
      buf[this.pos++] = 2 | ((len - 1) << 2);
      buf[this.pos++] = offset & 0xff;
      buf[this.pos++] = offset >>> 8;
    }
  }

  copy(offset: number, len: number): void {
    // Copies carry at most 64 bytes; the split keeps every piece at 4 bytes or more.
    while (len >= 68) this.copyOne(offset, 64), (len -= 64);
    if (len > 64) this.copyOne(offset, 60), (len -= 60);
    this.copyOne(offset, len);
  }
}

function compressBlock(src: Uint8Array, start: number, end: number, out: Out): void {
  let emitted = start;
  if (end - start >= 16) {
    table.fill(-1);
    const limit = end - 4;
    let ip = start;
    while (ip <= limit) {
      const v = load32(src, ip);
      const h = hash(v);
      const candidate = table[h]!;
      table[h] = ip;
      if (candidate >= start && load32(src, candidate) === v) {
        out.literal(src, emitted, ip);
        let len = 4;
        while (ip + len < end && src[candidate + len] === src[ip + len]) len++;
        out.copy(ip - candidate, len);
        ip += len;
        emitted = ip;
      } else {
        // Skip faster through data that does not compress, as the reference encoder does.
        ip += 1 + ((ip - emitted) >>> 5);
      }
    }
  }
  out.literal(src, emitted, end);
}

/** The most bytes `compress` can write for `n` input bytes (the reference encoder's bound). */
export function maxCompressedLength(n: number): number {
  return 32 + n + Math.floor(n / 6);
}

export function compress(src: Uint8Array): Uint8Array {
  const out = new Out(new Uint8Array(maxCompressedLength(src.length)));
  let n = src.length;
  for (; n >= 0x80; n >>>= 7) out.buf[out.pos++] = (n & 0x7f) | 0x80;
  out.buf[out.pos++] = n;
  for (let start = 0; start < src.length; start += BLOCK) compressBlock(src, start, Math.min(start + BLOCK, src.length), out);
  return out.buf.slice(0, out.pos);
}
