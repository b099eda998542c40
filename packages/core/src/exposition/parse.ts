/**
 * Strict parser for the Prometheus text exposition format 0.0.4, accepting and rejecting what Go's
 * `expfmt.TextParser` does (Pushgateway and node_exporter's textfile collector both use it), so a body
 * the real programs refuse is refused here too. One pass over the string with index arithmetic; every
 * line is bounded by its LF up front, so no scanner can run past the end of the input.
 *
 * Deliberate differences from expfmt, each refusing input that expfmt would drop or mangle without a word:
 * a histogram `_bucket` sample without `le`, a summary sample without `quantile`, a histogram sample with
 * none of the `_bucket`/`_sum`/`_count` suffixes, a repeated `le`/`quantile` label, a sample of a
 * `gauge_histogram` family (the TYPE line alone is accepted, as there), and a timestamp beyond ±2^53 ms
 * (a double cannot hold it exactly). Quoted UTF-8 metric and label names (newest expfmt: `{"my.metric",a="x"}`,
 * `m{"label.x"="y"}`, `# TYPE "my.metric" gauge`) are read only with `utf8` names; otherwise names must match
 * the classic patterns of model.ts, which Prometheus 2.x requires anyway.
 */
import type { Labels, MetricFamily, MetricType, NameValidation, Sample } from "./model.ts";

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

const LF = 10;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const EQUALS = 61;
const LBRACE = 123;
const RBRACE = 125;

/** [a-zA-Z_] */
function isLabelNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** [a-zA-Z0-9_] */
function isLabelNameChar(c: number): boolean {
  return isLabelNameStart(c) || (c >= 48 && c <= 57);
}

function isMetricNameStart(c: number): boolean {
  return isLabelNameStart(c) || c === 58;
}

function isMetricNameChar(c: number): boolean {
  return isLabelNameChar(c) || c === 58;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Quotes a token for an error message, cut short so a 64 KiB label value does not become the message. */
function quote(s: string): string {
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
function parseTimestamp(s: string): number | undefined {
  let i = 0;
  const c = s.charCodeAt(0);
  if (c === 45 || c === 43) i = 1;
  if (i === s.length) return undefined;
  for (let j = i; j < s.length; j++) if (!isDigit(s.charCodeAt(j))) return undefined;
  const v = Number(s);
  return Number.isSafeInteger(v) ? v : NaN;
}

/** How a sample name relates to the family it joined. */
const enum Part {
  Value,
  Bucket,
  Sum,
  Count,
}

interface FamilyState {
  family: MetricFamily;
  /** Set by a TYPE line, or fixed to untyped by the first sample. */
  typed: boolean;
  helped: boolean;
  /** A type client_model knows but text format 0.0.4 cannot carry (gauge_histogram). */
  unsupportedType?: string;
}

class TextParser {
  private pos = 0;
  private line = 0;
  private readonly families = new Map<string, FamilyState>();
  private part: Part = Part.Value;
  private closingQuote = 0;

  constructor(
    private readonly text: string,
    private readonly names: NameValidation,
  ) {}

  parse(): MetricFamily[] {
    const text = this.text;
    const len = text.length;
    while (this.pos < len) {
      this.line++;
      let p = this.pos;
      let c = text.charCodeAt(p);
      while (c === SPACE || c === TAB) c = text.charCodeAt(++p);
      // Blanks after the last LF are tolerated; anything else must end in LF.
      if (p >= len) break;
      if (c === LF) {
        this.pos = p + 1;
        continue;
      }
      const eol = text.indexOf("\n", p);
      if (eol < 0) this.fail("unexpected end of input: the last line does not end with a newline");
      if (c === HASH) this.comment(p + 1, eol);
      else this.sample(p, eol);
      this.pos = eol + 1;
    }
    const out: MetricFamily[] = [];
    for (const state of this.families.values()) {
      if (state.family.samples.length > 0) out.push(state.family);
    }
    return out;
  }

  private fail(detail: string): never {
    throw new ParseError(detail, this.line);
  }

  private skipBlanks(p: number, eol: number): number {
    const text = this.text;
    while (p < eol) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== TAB) break;
      p++;
    }
    return p;
  }

  /** Where the token starting at `p` ends: the next blank, or `eol`. */
  private skipToken(p: number, eol: number): number {
    const text = this.text;
    while (p < eol) {
      const c = text.charCodeAt(p);
      if (c === SPACE || c === TAB) break;
      p++;
    }
    return p;
  }

  /**
   * A quoted UTF-8 name whose opening quote is at `p`, escaped as label values are; sets `closingQuote`.
   * Undefined when names must be classic, so the caller reports the quote as it would any bad name.
   */
  private quotedName(p: number, eol: number, what: string): string | undefined {
    if (this.names !== "utf8" || p >= eol || this.text.charCodeAt(p) !== QUOTE) return undefined;
    const name = this.unescapeLabelValue(p + 1, eol, what);
    if (name === undefined) this.fail(`${what} ${quote(this.text.slice(p, eol))} has no closing '"' on its line`);
    if (name === "") this.fail(`empty ${what}`);
    return name;
  }

  private scanMetricName(p: number, eol: number): number {
    const text = this.text;
    if (p >= eol || !isMetricNameStart(text.charCodeAt(p))) return p;
    p++;
    while (p < eol && isMetricNameChar(text.charCodeAt(p))) p++;
    return p;
  }

  /** `# HELP`, `# TYPE`, or any other comment (ignored). `p` is just past the `#`. */
  private comment(p: number, eol: number): void {
    const text = this.text;
    const kwStart = this.skipBlanks(p, eol);
    p = this.skipToken(kwStart, eol);
    if (p === eol) return;
    const isHelp = p - kwStart === 4 && text.startsWith("HELP", kwStart);
    const isType = !isHelp && p - kwStart === 4 && text.startsWith("TYPE", kwStart);
    if (!isHelp && !isType) return;
    p = this.skipBlanks(p, eol);
    const nameStart = p;
    let metricName = this.quotedName(p, eol, "metric name");
    if (metricName !== undefined) p = this.closingQuote + 1;
    else p = this.scanMetricName(p, eol);
    // `# HELP name` with nothing after the name is accepted and changes nothing, as in expfmt.
    if (p === eol) return;
    const c = text.charCodeAt(p);
    if (nameStart === p || (c !== SPACE && c !== TAB)) {
      this.fail(`invalid metric name in ${isHelp ? "HELP" : "TYPE"} line: ${quote(text.slice(nameStart, eol))}`);
    }
    metricName ??= text.slice(nameStart, p);
    const state = this.familyFor(metricName);
    p = this.skipBlanks(p, eol);
    if (p === eol) return;
    const name = state.family.name;
    if (isHelp) {
      if (state.helped) this.fail(`second HELP line for metric name ${quote(name)}`);
      state.helped = true;
      state.family.help = this.unescapeHelp(p, eol);
      return;
    }
    if (state.typed) this.fail(`second TYPE line for metric name ${quote(name)}, or TYPE reported after samples`);
    const word = text.slice(p, eol);
    const lower = word.toLowerCase();
    const type = TYPES[lower];
    state.typed = true;
    if (type !== undefined) state.family.type = type;
    else if (lower === "gauge_histogram") state.unsupportedType = lower;
    else this.fail(`unknown metric type ${quote(word)} for metric name ${quote(name)}`);
  }

  private unescapeHelp(p: number, eol: number): string {
    const text = this.text;
    const bs = text.indexOf("\\", p);
    if (bs < 0 || bs >= eol) return text.slice(p, eol);
    let out = "";
    let from = p;
    for (let i = bs; i < eol; i++) {
      if (text.charCodeAt(i) !== BACKSLASH) continue;
      out += text.slice(from, i);
      const e = i + 1 < eol ? text.charCodeAt(i + 1) : LF;
      if (e === BACKSLASH) out += "\\";
      else if (e === 110 /* n */) out += "\n";
      else if (e === QUOTE) out += '"';
      else this.fail(`invalid escape sequence ${quote("\\" + String.fromCharCode(e))} in HELP`);
      i++;
      from = i + 1;
    }
    return out + text.slice(from, eol);
  }

  /**
   * The family a name belongs to, created as untyped-to-be when new. A `_sum`/`_count` (and for histograms
   * `_bucket`) name joins the summary/histogram family of its base name, but only if that family exists and
   * has that type already: order in the input decides, as in expfmt. Sets `this.part`.
   */
  private familyFor(name: string): FamilyState {
    this.part = Part.Value;
    const exact = this.families.get(name);
    if (exact) return exact;
    let part: Part = Part.Value;
    let base = "";
    if (name.length > 6 && name.endsWith("_count")) (part = Part.Count), (base = name.slice(0, -6));
    else if (name.length > 4 && name.endsWith("_sum")) (part = Part.Sum), (base = name.slice(0, -4));
    else if (name.length > 7 && name.endsWith("_bucket")) (part = Part.Bucket), (base = name.slice(0, -7));
    if (part !== Part.Value) {
      const owner = this.families.get(base);
      const type = owner?.family.type;
      if (type === "histogram" || (type === "summary" && part !== Part.Bucket)) {
        this.part = part;
        return owner!;
      }
    }
    const state: FamilyState = { family: { name, type: "untyped", samples: [] }, typed: false, helped: false };
    this.families.set(name, state);
    return state;
  }

  private sample(p: number, eol: number): void {
    const text = this.text;
    const nameStart = p;
    p = this.scanMetricName(p, eol);
    let name: string;
    // Whether the name was the first item in braces, and the label set is open after it.
    let inBraces = false;
    const quoted = p === nameStart ? this.quotedName(p, eol, "metric name") : undefined;
    if (p > nameStart) name = text.slice(nameStart, p);
    else if (quoted !== undefined) {
      // expfmt also reads a quoted name before the braces: `"my.metric"{a="x"} 1`.
      name = quoted;
      p = this.closingQuote + 1;
    } else if (this.names === "utf8" && text.charCodeAt(p) === LBRACE) {
      p = this.skipBlanks(p + 1, eol);
      const quoted = this.quotedName(p, eol, "metric name");
      if (quoted === undefined) this.fail(`metric name missing after '{': expected a quoted name at ${quote(text.slice(p, eol))}`);
      name = quoted;
      p = this.skipBlanks(this.closingQuote + 1, eol);
      const c = p < eol ? text.charCodeAt(p) : LF;
      if (c !== COMMA && c !== RBRACE) this.fail(`unexpected ${quote(String.fromCharCode(c))} after metric name ${quote(name)}`);
      p++;
      inBraces = c === COMMA;
    } else {
      if (text.charCodeAt(p) === LBRACE) this.fail("metric name missing before '{' (quoted UTF-8 metric names are not enabled here)");
      this.fail(`invalid metric name at ${quote(text.slice(p, eol))}`);
    }
    const state = this.familyFor(name);
    const part = this.part;
    if (state.unsupportedType) this.fail(`metric type ${state.unsupportedType} of ${quote(state.family.name)} is not supported`);
    state.typed = true;
    const family = state.family;
    const type = family.type;
    p = this.skipBlanks(p, eol);

    let labels: Record<string, string> = {};
    let le: string | undefined;
    let quantile: string | undefined;
    if (inBraces || (p < eol && text.charCodeAt(p) === LBRACE)) {
      if (!inBraces) p++;
      for (;;) {
        p = this.skipBlanks(p, eol);
        if (p >= eol) this.fail(`unexpected end of line in the label set of ${quote(name)}`);
        let c = text.charCodeAt(p);
        if (c === RBRACE) {
          p++;
          break;
        }
        const lnStart = p;
        let labelName = this.quotedName(p, eol, "label name");
        if (labelName !== undefined) p = this.closingQuote + 1;
        else {
          if (!isLabelNameStart(c)) this.fail(`invalid label name for metric ${quote(name)} at ${quote(text.slice(p, eol))}`);
          p++;
          while (p < eol && isLabelNameChar(text.charCodeAt(p))) p++;
          labelName = text.slice(lnStart, p);
        }
        p = this.skipBlanks(p, eol);
        if (p >= eol || text.charCodeAt(p) !== EQUALS) {
          this.fail(`expected '=' after label name ${quote(labelName)} of metric ${quote(name)}`);
        }
        if (labelName === "__name__") this.fail(`label name "__name__" is reserved (metric ${quote(name)})`);
        if (Object.hasOwn(labels, labelName)) this.fail(`duplicate label name ${quote(labelName)} for metric ${quote(name)}`);
        p = this.skipBlanks(p + 1, eol);
        if (p >= eol || text.charCodeAt(p) !== QUOTE) {
          this.fail(`expected '"' at start of the value of label ${quote(labelName)} of metric ${quote(name)}`);
        }
        p++;
        const valueStart = p;
        let value: string | undefined;
        while (p < eol) {
          c = text.charCodeAt(p);
          if (c === QUOTE) {
            value = text.slice(valueStart, p);
            break;
          }
          if (c === BACKSLASH) {
            value = this.unescapeLabelValue(valueStart, eol, "label value");
            p = this.closingQuote;
            break;
          }
          p++;
        }
        if (value === undefined) {
          this.fail(`label value ${quote(text.slice(valueStart, eol))} of metric ${quote(name)} has no closing '"' on its line`);
        }
        p++;
        if (labelName === "le" && type === "histogram") {
          if (parseGoFloat(value) === undefined) this.fail(`expected float as value for 'le' label, got ${quote(value)}`);
          le = value;
        } else if (labelName === "quantile" && type === "summary") {
          if (parseGoFloat(value) === undefined) this.fail(`expected float as value for 'quantile' label, got ${quote(value)}`);
          quantile = value;
        }
        setLabel(labels, labelName, value);
        p = this.skipBlanks(p, eol);
        c = p < eol ? text.charCodeAt(p) : LF;
        if (c === COMMA) {
          p++;
          continue;
        }
        if (c === RBRACE) {
          p++;
          break;
        }
        this.fail(`unexpected ${quote(String.fromCharCode(c))} after the value of label ${quote(labelName)} of metric ${quote(name)}`);
      }
      p = this.skipBlanks(p, eol);
    }

    const valueStart = p;
    p = this.skipToken(p, eol);
    const valueText = text.slice(valueStart, p);
    const value = parseGoFloat(valueText);
    if (value === undefined) this.fail(`expected float as value for metric ${quote(name)}, got ${quote(valueText)}`);

    let timestampMs: number | undefined;
    if (p < eol) {
      const tsStart = this.skipBlanks(p, eol);
      p = this.skipToken(tsStart, eol);
      const tsText = text.slice(tsStart, p);
      timestampMs = parseTimestamp(tsText);
      if (timestampMs === undefined) this.fail(`expected integer as timestamp for metric ${quote(name)}, got ${quote(tsText)}`);
      if (Number.isNaN(timestampMs)) this.fail(`timestamp ${tsText} of metric ${quote(name)} is out of range (beyond ±2^53 ms)`);
      if (p < eol) this.fail(`spurious string after timestamp: ${quote(text.slice(p, eol))}`);
    }

    if (type === "histogram") {
      if (part === Part.Bucket) {
        if (le === undefined) this.fail(`histogram bucket ${quote(name)} has no 'le' label`);
      } else if (part === Part.Value) {
        this.fail(`sample ${quote(name)} of histogram ${quote(family.name)} must end in _bucket, _sum or _count`);
      } else if (le !== undefined) {
        labels = withoutLabel(labels, "le");
      }
    } else if (type === "summary") {
      if (part === Part.Value) {
        if (quantile === undefined) this.fail(`summary sample ${quote(name)} has no 'quantile' label`);
      } else if (quantile !== undefined) {
        labels = withoutLabel(labels, "quantile");
      }
    }

    const sample: Sample =
      timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs };
    family.samples.push(sample);
  }

  /** Slow path for a label value (or quoted name) with escapes; sets `closingQuote` to where it ends. */
  private unescapeLabelValue(start: number, eol: number, what: string): string | undefined {
    const text = this.text;
    let out = "";
    let from = start;
    for (let i = start; i < eol; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) {
        this.closingQuote = i;
        return out + text.slice(from, i);
      }
      if (c !== BACKSLASH) continue;
      out += text.slice(from, i);
      const e = i + 1 < eol ? text.charCodeAt(i + 1) : LF;
      if (e === BACKSLASH) out += "\\";
      else if (e === QUOTE) out += '"';
      else if (e === 110 /* n */) out += "\n";
      else this.fail(`invalid escape sequence ${quote("\\" + String.fromCharCode(e))} in ${what}`);
      i++;
      from = i + 1;
    }
    return undefined;
  }
}

const TYPES: Readonly<Record<string, MetricType>> = Object.assign(Object.create(null), {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  summary: "summary",
  untyped: "untyped",
});

/** Assigns a label; `__proto__` is a legal label name and must become an own property, not a prototype. */
export function setLabel(labels: Record<string, string>, name: string, value: string): void {
  if (name === "__proto__") Object.defineProperty(labels, name, { value, enumerable: true, writable: true, configurable: true });
  else labels[name] = value;
}

function withoutLabel(labels: Labels, drop: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k in labels) if (k !== drop) setLabel(out, k, labels[k]!);
  return out;
}

/**
 * Parses text format 0.0.4 into families in order of first appearance, samples in input order. Samples of a
 * family that appear apart are merged into it (as expfmt does); families with no samples are dropped.
 * Timestamps are kept; whether they are allowed is the caller's decision. `names` says whether quoted UTF-8
 * names are read. Throws ParseError.
 */
export function parseText(text: string, names: NameValidation = "legacy"): MetricFamily[] {
  return new TextParser(text, names).parse();
}
