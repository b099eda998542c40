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
import type { MetricFamily, MetricType, NameValidation } from "./model.ts";
import { LineScanner } from "./line-scanner.ts";
import { BACKSLASH, HASH, LBRACE, LF, parseGoFloat, QUOTE, quote, SPACE, TAB, withoutLabel } from "./text-scan.ts";

const TYPES: Readonly<Record<string, MetricType>> = Object.assign(Object.create(null), {
  counter: "counter",
  gauge: "gauge",
  histogram: "histogram",
  summary: "summary",
  untyped: "untyped",
});


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

class TextParser extends LineScanner {
  private pos = 0;
  private readonly families = new Map<string, FamilyState>();
  private part: Part = Part.Value;

  constructor(text: string, names: NameValidation) {
    super(text, names);
  }

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

  /** One sample line: its name, its label set, its value and timestamp, checked against its family's type. */
  private sample(p: number, eol: number): void {
    p = this.sampleName(p, eol);
    const name = this.name;
    const state = this.familyFor(name);
    const part = this.part;
    if (state.unsupportedType) this.fail(`metric type ${state.unsupportedType} of ${quote(state.family.name)} is not supported`);
    state.typed = true;
    const family = state.family;
    p = this.skipBlanks(p, eol);
    let labels: Record<string, string> = {};
    this.le = this.quantile = undefined;
    if (this.inBraces) p = this.skipBlanks(this.labelSet(p, eol, family.type, labels), eol);
    else if (p < eol && this.text.charCodeAt(p) === LBRACE) p = this.skipBlanks(this.labelSet(p + 1, eol, family.type, labels), eol);
    const valueEnd = this.skipToken(p, eol);
    const valueText = this.text.slice(p, valueEnd);
    const value = parseGoFloat(valueText);
    if (value === undefined) this.fail(`expected float as value for metric ${quote(name)}, got ${quote(valueText)}`);
    const timestampMs = valueEnd < eol ? this.timestamp(valueEnd, eol) : undefined;
    labels = this.partLabels(family, part, labels);
    family.samples.push(timestampMs === undefined ? { name, labels, value } : { name, labels, value, timestampMs });
  }

  /**
   * A histogram's or summary's sample against its part: a bucket needs `le`, a quantile `quantile`, and a
   * `_sum` or `_count` loses the part label it should not have. Returns the labels the sample keeps.
   */
  private partLabels(family: MetricFamily, part: Part, labels: Record<string, string>): Record<string, string> {
    const name = this.name;
    if (family.type === "histogram") {
      if (part === Part.Bucket) {
        if (this.le === undefined) this.fail(`histogram bucket ${quote(name)} has no 'le' label`);
      } else if (part === Part.Value) {
        this.fail(`sample ${quote(name)} of histogram ${quote(family.name)} must end in _bucket, _sum or _count`);
      } else if (this.le !== undefined) return withoutLabel(labels, "le");
    } else if (family.type === "summary") {
      if (part === Part.Value) {
        if (this.quantile === undefined) this.fail(`summary sample ${quote(name)} has no 'quantile' label`);
      } else if (this.quantile !== undefined) return withoutLabel(labels, "quantile");
    }
    return labels;
  }
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
