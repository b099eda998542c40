/**
 * read.ts decodes files as latin1 (one char per byte: cheap, and exact for numbers). Strings that become
 * label values must be UTF-8 text: this re-decodes them, each run of invalid bytes becoming one U+FFFD as
 * node_exporter's strings.ToValidUTF8(value, "\uFFFD") does. A U+FFFD the text itself holds is kept, even
 * next to invalid bytes (TextDecoder's output cannot tell the two apart, so the bytes are checked first).
 */
const ASCII = /^[\x00-\x7f]*$/;
const decoder = new TextDecoder("utf-8");
const REPLACEMENT = [0xef, 0xbf, 0xbd];

/** Length of the valid UTF-8 sequence at `i` (Go's utf8.DecodeRune rules), or 0 for an invalid byte. */
function validLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf) => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    const lo = c === 0xe0 ? 0xa0 : 0x80;
    const hi = c === 0xed ? 0x9f : 0xbf;
    return cont(1, lo, hi) && cont(2) ? 3 : 0;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    const lo = c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xf4 ? 0x8f : 0xbf;
    return cont(1, lo, hi) && cont(2) && cont(3) ? 4 : 0;
  }
  return 0;
}

export function utf8Label(latin1: string): string {
  if (ASCII.test(latin1)) return latin1;
  const bytes = Buffer.from(latin1, "latin1");
  const out: number[] = [];
  let invalid = false;
  for (let i = 0; i < bytes.length; ) {
    const n = validLength(bytes, i);
    if (n === 0) {
      if (!invalid) out.push(...REPLACEMENT);
      invalid = true;
      i++;
      continue;
    }
    invalid = false;
    for (let k = 0; k < n; k++) out.push(bytes[i + k]!);
    i += n;
  }
  return decoder.decode(Uint8Array.from(out));
}

/**
 * Bytes as text the way a Go loop over utf8.DecodeRune builds it (mdlayher/wifi's SSIDs): every invalid byte
 * becomes its own U+FFFD, where utf8Label folds a run of them into one.
 */
export function decodeRunes(bytes: Uint8Array): string {
  const out: number[] = [];
  for (let i = 0; i < bytes.length; ) {
    const n = validLength(bytes, i);
    if (n === 0) out.push(...REPLACEMENT);
    for (let k = 0; k < n; k++) out.push(bytes[i + k]!);
    i += n || 1;
  }
  return decoder.decode(Uint8Array.from(out));
}
