/** Lines and whitespace-separated fields of procfs text, and numbers read in place, without a regex. */

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Whitespace-separated fields, without a regex. */
export function fields(line: string): string[] {
  const out: string[] = [];
  const n = line.length;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    out.push(line.slice(start, i));
  }
  return out;
}

/** The `n`th (from 0) whitespace-separated field of `line`, or undefined; splits nothing else. */
export function field(line: string, n: number): string | undefined {
  const len = line.length;
  let i = 0;
  for (let k = 0; ; k++) {
    while (i < len && isSpace(line.charCodeAt(i))) i++;
    if (i >= len) return undefined;
    const start = i;
    while (i < len && !isSpace(line.charCodeAt(i))) i++;
    if (k === n) return line.slice(start, i);
  }
}

/** Lines of a file without the trailing empty one. */
export function lines(text: string): string[] {
  const out = text.split("\n");
  if (out.length > 0 && out[out.length - 1] === "") out.pop();
  return out;
}

/** A `keyEnd` for KeyedLines: the first space or tab of the line, or -1. */
export function blankAt(text: string, start: number, end: number): number {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9) return i;
  }
  return -1;
}

/** The integer at `from` after blanks, read digit by digit (no string made), or NaN when there is none. */
export function integerAt(text: string, from: number, to: number): number {
  let i = from;
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  const negative = text.charCodeAt(i) === 45;
  if (negative) i++;
  let v = 0;
  const start = i;
  for (; i < to; i++) {
    const d = text.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
  }
  if (i === start) return NaN;
  // Past 15 digits the running sum may round differently from a correctly rounded parse.
  if (i - start > 15) v = Number(text.slice(start, i));
  return negative ? -v : v;
}
