/**
 * What the text format parser (parse.ts, line-scanner.ts) and the protobuf decoder share: the error type,
 * character classes, Go's float and integer syntax, and label assignment.
 */
import type { Labels } from "./model.ts";

export class ParseError extends Error {
  /** 1-based line of the text input; 0 for binary (protobuf) input. */
  readonly line: number;
  /** What is wrong, without the location prefix. */
  readonly detail: string;

  constructor(detail: string, line: number) {
    super(line > 0 ? `text format parsing error in line ${line}: ${detail}` : detail);
    this.name = "ParseError";
    this.line = line;
    this.detail = detail;
  }
}

export const LF = 10;
export const SPACE = 32;
export const TAB = 9;
export const HASH = 35;
export const QUOTE = 34;
export const BACKSLASH = 92;
export const COMMA = 44;
export const EQUALS = 61;
export const LBRACE = 123;
export const RBRACE = 125;

/** [a-zA-Z_] */
export function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** [a-zA-Z0-9_] */
export function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || (c >= 48 && c <= 57);
}

export function isMetricNameStart(c: number): boolean {
  return isLabelNameStart(c) || c === 58;
}

export function isMetricNameChar(c: number): boolean {
  return isLabelNameChar(c) || c === 58;
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Quotes a token for an error message, cut short so a 64 KiB label value does not become the message. */
export function quote(s: string): string {
  return JSON.stringify(s.length > 100 ? s.slice(0, 100) + "…" : s);
}

/**
 * Parses `s` as Go's `strconv.ParseFloat` would, minus hex floats and underscores (which expfmt
 * refuses): decimal with optional sign, fraction and exponent, or case-insensitive `NaN`, `Inf`,
 * `Infinity` (signed except NaN). A finite-looking number that overflows is an error, as Go reports
 * ErrRange for it. Returns undefined when `s` is not a float.
 */
export function parseGoFloat(s: string): number | undefined {
  const end = s.length;
  if (end === 0) return undefined;
  let i = 0;
  let c = s.charCodeAt(0);
  const signed = c === 43 || c === 45;
  if (signed) {
    if (end === 1) return undefined;
    c = s.charCodeAt(++i);
  }
  const lower = c | 0x20;
  if (lower === 105 /* i */ || lower === 110 /* n */) {
    const word = (signed ? s.slice(1) : s).toLowerCase();
    if (word === "inf" || word === "infinity") return s.charCodeAt(0) === 45 ? -Infinity : Infinity;
    if (word === "nan" && !signed) return NaN;
    return undefined;
  }
  let digits = 0;
  while (i < end && isDigit(s.charCodeAt(i))) i++, digits++;
  // Plain integers of up to 15 digits are exact in a double and common enough to skip Number().
  if (i === end && digits > 0 && digits <= 15) {
    let v = 0;
    for (let j = signed ? 1 : 0; j < end; j++) v = v * 10 + (s.charCodeAt(j) - 48);
    return s.charCodeAt(0) === 45 ? -v : v;
  }
  if (i < end && s.charCodeAt(i) === 46 /* . */) {
    i++;
    while (i < end && isDigit(s.charCodeAt(i))) i++, digits++;
  }
  if (digits === 0) return undefined;
  if (i < end && (s.charCodeAt(i) | 0x20) === 101 /* e */) {
    i++;
    if (i < end && (s.charCodeAt(i) === 43 || s.charCodeAt(i) === 45)) i++;
    const expStart = i;
    while (i < end && isDigit(s.charCodeAt(i))) i++;
    if (i === expStart) return undefined;
  }
  if (i !== end) return undefined;
  const v = Number(s);
  return Number.isFinite(v) ? v : undefined;
}

/**
 * Go's `strconv.ParseInt(s, 10, 64)` (optional sign, decimal digits), narrowed to the integers a double holds
 * exactly: a millisecond timestamp beyond 2^53 (year 287,000) could not be written back as the same int64.
 * Returns undefined for a malformed integer, NaN for one out of that range.
 */
export function parseTimestamp(s: string): number | undefined {
  let i = 0;
  const c = s.charCodeAt(0);
  if (c === 45 || c === 43) i = 1;
  if (i === s.length) return undefined;
  for (let j = i; j < s.length; j++) if (!isDigit(s.charCodeAt(j))) return undefined;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : NaN;
}

/** Assigns a label; `__proto__` is a legal label name and must become an own property, not a prototype. */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__") Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}

export function withoutLabel(labels: Labels, drop: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) if (k !== drop) setLabel(out, k, labels[k]!);
  return out;
}
