/**
 * The cursor of the text format parser over one input: the current line for errors, and the steps that read
 * the tokens of a line (names, a sample's label set, values, timestamps). Every step is bounded by the
 * line's end (`eol`), found before the line is read, so none can run past the end of the input.
 */
import type { MetricType, NameValidation } from "./model.ts";
import {
  BACKSLASH,
  COMMA,
  EQUALS,
  isLabelNameChar,
  isLabelNameStart,
  isMetricNameChar,
  isMetricNameStart,
  LBRACE,
  LF,
  ParseError,
  parseGoFloat,
  parseTimestamp,
  QUOTE,
  quote,
  RBRACE,
  setLabel,
  SPACE,
  TAB,
} from "./text-scan.ts";

/** A cursor over a text input: the current line for errors, and the steps that read tokens within a line. */
export class LineScanner {
  protected line = 0;
  /** Where the last quoted name or label value ended (its closing quote). */
  protected closingQuote = 0;
  /** The sample being read: its name, whether its label set is open after the name, the label last read. */
  protected name = "";
  protected inBraces = false;
  protected labelName = "";
  /** The `le` or `quantile` value of the sample being read, where its family's type gives one meaning. */
  protected le: string | undefined;
  protected quantile: string | undefined;

  constructor(
    protected readonly text: string,
    protected readonly names: NameValidation,
  ) {}

  protected fail(detail: string): never {
    throw new ParseError(detail, this.line);
  }

  protected skipBlanks(p: number, eol: number): number {
    const text = this.text;
    while (p < eol) {
      const c = text.charCodeAt(p);
      if (c !== SPACE && c !== TAB) break;
      p++;
    }
    return p;
  }

  /** Where the token starting at `p` ends: the next blank, or `eol`. */
  protected skipToken(p: number, eol: number): number {
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
  protected quotedName(p: number, eol: number, what: string): string | undefined {
    if (this.names !== "utf8" || p >= eol || this.text.charCodeAt(p) !== QUOTE) return undefined;
    const name = this.unescapeLabelValue(p + 1, eol, what);
    if (name === undefined) this.fail(`${what} ${quote(this.text.slice(p, eol))} has no closing '"' on its line`);
    if (name === "") this.fail(`empty ${what}`);
    return name;
  }

  protected scanMetricName(p: number, eol: number): number {
    const text = this.text;
    if (p >= eol || !isMetricNameStart(text.charCodeAt(p))) return p;
    p++;
    while (p < eol && isMetricNameChar(text.charCodeAt(p))) p++;
    return p;
  }

  /** Slow path for a label value (or quoted name) with escapes; sets `closingQuote` to where it ends. */
  protected unescapeLabelValue(start: number, eol: number, what: string): string | undefined {
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

  /**
   * The sample's metric name at `p`: classic, quoted before the braces, or (UTF-8 names) quoted first inside
   * them. Sets `name` and `inBraces` (the label set is open after the name); returns where the name ends.
   */
  protected sampleName(p: number, eol: number): number {
    const text = this.text;
    const nameStart = p;
    p = this.scanMetricName(p, eol);
    this.inBraces = false;
    if (p > nameStart) {
      this.name = text.slice(nameStart, p);
      return p;
    }
    const quoted = this.quotedName(p, eol, "metric name");
    if (quoted !== undefined) {
      // expfmt also reads a quoted name before the braces: `"my.metric"{a="x"} 1`.
      this.name = quoted;
      return this.closingQuote + 1;
    }
    if (this.names !== "utf8" || text.charCodeAt(p) !== LBRACE) {
      if (text.charCodeAt(p) === LBRACE) this.fail("metric name missing before '{' (quoted UTF-8 metric names are not enabled here)");
      this.fail(`invalid metric name at ${quote(text.slice(p, eol))}`);
    }
    p = this.skipBlanks(p + 1, eol);
    const inside = this.quotedName(p, eol, "metric name");
    if (inside === undefined) this.fail(`metric name missing after '{': expected a quoted name at ${quote(text.slice(p, eol))}`);
    this.name = inside;
    p = this.skipBlanks(this.closingQuote + 1, eol);
    const c = p < eol ? text.charCodeAt(p) : LF;
    if (c !== COMMA && c !== RBRACE) this.fail(`unexpected ${quote(String.fromCharCode(c))} after metric name ${quote(inside)}`);
    this.inBraces = c === COMMA;
    return p + 1;
  }

  /** The labels from just inside `{` to just past `}`, into `labels`; returns where the set ends. */
  protected labelSet(p: number, eol: number, type: MetricType, labels: Record<string, string>): number {
    const text = this.text;
    p = this.skipBlanks(p, eol);
    if (p < eol && text.charCodeAt(p) === RBRACE) return p + 1;
    for (;;) {
      p = this.skipBlanks(this.label(p, eol, type, labels), eol);
      const c = p < eol ? text.charCodeAt(p) : LF;
      if (c === RBRACE) return p + 1;
      if (c !== COMMA) this.fail(`unexpected ${quote(String.fromCharCode(c))} after the value of label ${quote(this.labelName)} of metric ${quote(this.name)}`);
      p = this.skipBlanks(p + 1, eol);
      // A comma may close the set: `m{a="1",} 1`.
      if (p < eol && text.charCodeAt(p) === RBRACE) return p + 1;
    }
  }

  /** One `name="value"` at `p` into `labels` (noting `le` and `quantile`); returns where its value ends. */
  protected label(p: number, eol: number, type: MetricType, labels: Record<string, string>): number {
    const text = this.text;
    const name = this.name;
    if (p >= eol) this.fail(`unexpected end of line in the label set of ${quote(name)}`);
    const lnStart = p;
    let labelName = this.quotedName(p, eol, "label name");
    if (labelName !== undefined) p = this.closingQuote + 1;
    else {
      if (!isLabelNameStart(text.charCodeAt(p))) this.fail(`invalid label name for metric ${quote(name)} at ${quote(text.slice(p, eol))}`);
      p++;
      while (p < eol && isLabelNameChar(text.charCodeAt(p))) p++;
      labelName = text.slice(lnStart, p);
    }
    this.labelName = labelName;
    p = this.skipBlanks(p, eol);
    if (p >= eol || text.charCodeAt(p) !== EQUALS) this.fail(`expected '=' after label name ${quote(labelName)} of metric ${quote(name)}`);
    if (labelName === "__name__") this.fail(`label name "__name__" is reserved (metric ${quote(name)})`);
    if (Object.hasOwn(labels, labelName)) this.fail(`duplicate label name ${quote(labelName)} for metric ${quote(name)}`);
    p = this.skipBlanks(p + 1, eol);
    if (p >= eol || text.charCodeAt(p) !== QUOTE) this.fail(`expected '"' at start of the value of label ${quote(labelName)} of metric ${quote(name)}`);
    const value = this.labelValue(p + 1, eol);
    if (labelName === "le" && type === "histogram") {
      if (parseGoFloat(value) === undefined) this.fail(`expected float as value for 'le' label, got ${quote(value)}`);
      this.le = value;
    } else if (labelName === "quantile" && type === "summary") {
      if (parseGoFloat(value) === undefined) this.fail(`expected float as value for 'quantile' label, got ${quote(value)}`);
      this.quantile = value;
    }
    setLabel(labels, labelName, value);
    return this.closingQuote + 1;
  }

  /** A label value from just past its opening quote; sets `closingQuote`. */
  protected labelValue(start: number, eol: number): string {
    const text = this.text;
    for (let p = start; p < eol; p++) {
      const c = text.charCodeAt(p);
      if (c === QUOTE) {
        this.closingQuote = p;
        return text.slice(start, p);
      }
      if (c === BACKSLASH) break;
    }
    const value = this.unescapeLabelValue(start, eol, "label value");
    if (value === undefined) {
      this.fail(`label value ${quote(text.slice(start, eol))} of metric ${quote(this.name)} has no closing '"' on its line`);
    }
    return value;
  }

  /** The timestamp after the value at `p`, which must end the line. */
  protected timestamp(p: number, eol: number): number {
    const tsStart = this.skipBlanks(p, eol);
    p = this.skipToken(tsStart, eol);
    const tsText = this.text.slice(tsStart, p);
    const ms = parseTimestamp(tsText);
    if (ms === undefined) this.fail(`expected integer as timestamp for metric ${quote(this.name)}, got ${quote(tsText)}`);
    if (Number.isNaN(ms)) this.fail(`timestamp ${tsText} of metric ${quote(this.name)} is out of range (beyond ±2^53 ms)`);
    if (p < eol) this.fail(`spurious string after timestamp: ${quote(this.text.slice(p, eol))}`);
    return ms;
  }
}
