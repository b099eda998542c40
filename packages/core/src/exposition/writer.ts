/**
 * Text exposition format 0.0.4 writer. Families are rendered to text as samples are added, so a scrape
 * is one join of preformatted lines; nothing walks label objects twice.
 */
import { isValidLabelName, isValidMetricName, type Labels, type MetricFamily, type MetricType } from "./model.ts";

export function escapeHelp(help: string): string {
  if (!/[\\\n]/.test(help)) return help;
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function escapeLabelValue(value: string): string {
  if (!/[\\\n"]/.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/**
 * A value as Prometheus' expfmt writes it: `NaN`, `+Inf`, `-Inf`, else Go's strconv.FormatFloat(v, 'g', -1):
 * the shortest digits that round-trip, in exponent form when the decimal exponent is below -4 or 6 and up
 * (`1.418183276e+09`, `1.305e-06`, `1e+06`), with at least two exponent digits. node_exporter and Pushgateway
 * both write it so, and byte-for-byte output needs it.
 */
export function formatValue(value: number): string {
  if (value < 1e6 && value > -1e6) {
    if (Number.isInteger(value) || value >= 1e-4 || value <= -1e-4) return String(value);
    if (value === 0) return "0";
  } else if (Number.isNaN(value)) return "NaN";
  else if (value === Infinity) return "+Inf";
  else if (value === -Infinity) return "-Inf";
  // JS's shortest round-trip digits are Go's. Up to 1e21 String() writes them positionally, and moving the
  // point is ~5x cheaper than toExponential(): counters in bytes are the bulk of a node scrape.
  const abs = value < 0 ? -value : value;
  if (abs >= 1e6 && abs < 1e21) return (value < 0 ? "-" : "") + exponentForm(String(abs));
  const e = value.toExponential();
  return e.length - e.indexOf("e") === 3 ? e.slice(0, -1) + "0" + e.slice(-1) : e;
}

/** "1418183276" or "1234567.5" (7 to 21 integer digits) as "1.418183276e+09", "1.2345675e+06". */
function exponentForm(positional: string): string {
  const dot = positional.indexOf(".");
  const exp = (dot < 0 ? positional.length : dot) - 1;
  let digits = dot < 0 ? positional : positional.slice(0, dot) + positional.slice(dot + 1);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
  digits = end === 1 ? digits[0]! : digits[0] + "." + digits.slice(1, end);
  return digits + (exp < 10 ? "e+0" : "e+") + exp;
}

function labelPair(key: string, value: string): string {
  return key + '="' + escapeLabelValue(value) + '"';
}

/** A metric name as the text format writes it: bare when classic, else quoted and escaped as a label value is. */
export function renderName(name: string): string {
  return isValidMetricName(name) ? name : '"' + escapeLabelValue(name) + '"';
}

/** A label name as the text format writes it: bare when classic, else quoted. */
export function renderLabelName(name: string): string {
  return isValidLabelName(name) ? name : '"' + escapeLabelValue(name) + '"';
}

/**
 * A series as `name{labels}`, `labels` being `{...}` or "": a name that must be quoted goes first inside the
 * braces, as expfmt writes UTF-8 names.
 */
export function renderSeries(name: string, labels: string): string {
  if (isValidMetricName(name)) return name + labels;
  const quoted = renderName(name);
  return labels === "" ? "{" + quoted + "}" : "{" + quoted + "," + labels.slice(1);
}

/** `{a="1",b="2"}`, or "" for no labels; names in byte order, as client_golang writes them. */
export function renderLabels(labels: Labels | undefined): string {
  if (!labels) return "";
  let out = "";
  let prev = "";
  for (const key in labels) {
    if (key < prev) return "{" + Object.keys(labels).sort().map((k) => labelPair(k, labels[k]!)).join(",") + "}";
    prev = key;
    out += (out ? "," : "{") + labelPair(key, labels[key]!);
  }
  return out ? out + "}" : "";
}

/**
 * What client_golang sorts a family's series by: their label values, taken in label-name order. The part
 * label (le, quantile) is left out so that a histogram's or summary's lines stay together, in the order added.
 */
function seriesKey(labels: Labels | undefined): string {
  if (!labels) return "";
  let key = "";
  let prev = "";
  for (const name in labels) {
    if (name < prev) return seriesKey(Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]!])));
    prev = name;
    if (name !== "le" && name !== "quantile") key += labels[name] + "\0";
  }
  return key;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * seriesKey(a) against seriesKey(b) without building either when a's names are in order and b has them all,
 * the common case: a scrape adds thousands of samples, nearly all in order already.
 */
function compareSeries(a: Labels | undefined, b: Labels | undefined): number {
  if (!a || !b) return compareKeys(seriesKey(a), seriesKey(b));
  let prev = "";
  for (const name in a) {
    if (name < prev || !(name in b)) return compareKeys(seriesKey(a), seriesKey(b));
    prev = name;
  }
  for (const name in a) {
    if (name === "le" || name === "quantile") continue;
    const va = a[name]!;
    const vb = b[name]!;
    if (va !== vb) return va < vb ? -1 : 1;
  }
  return 0;
}

export function renderSampleLine(name: string, labels: Labels | undefined, value: number, timestampMs?: number): string {
  const ts = timestampMs === undefined ? "" : " " + timestampMs;
  return name + renderLabels(labels) + " " + formatValue(value) + ts + "\n";
}

/**
 * Headers rendered before, by family name: a scrape renders the same few hundred each time, and escaping the
 * help text was a measurable share of it. Bounded, since pushed family names come from clients.
 */
const headers = new Map<string, { type: MetricType; help: string | undefined; text: string }>();
const HEADERS_LIMIT = 10_000;

export function renderHeader(name: string, type: MetricType, help: string | undefined): string {
  const known = headers.get(name);
  if (known !== undefined && known.type === type && known.help === help) return known.text;
  const shown = renderName(name);
  const helpLine = help === undefined ? "" : `# HELP ${shown} ${escapeHelp(help)}\n`;
  const text = `${helpLine}# TYPE ${shown} ${type}\n`;
  if (known !== undefined || headers.size < HEADERS_LIMIT) headers.set(name, { type, help, text });
  return text;
}

/** Renders a parsed or built family as one block of text. */
export function renderFamily(family: MetricFamily): string {
  let out = renderHeader(family.name, family.type, family.help);
  for (const s of family.samples) out += renderSampleLine(s.name, s.labels, s.value, s.timestampMs);
  return out;
}

/**
 * One family being built: a header and the sample lines added so far. Lines are rendered as they are
 * added; render() puts them in client_golang's series order, which costs nothing when they came in order.
 */
export class FamilyBuilder {
  private body = "";
  private readonly labels: (Labels | undefined)[] = [];
  private ordered = true;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
  ) {}

  /** Adds one sample; `suffix` is for histogram and summary parts (`_bucket`, `_sum`, `_count`). */
  add(value: number, labels?: Labels, suffix = ""): this {
    const n = this.labels.length;
    if (this.ordered && n > 0 && compareSeries(labels, this.labels[n - 1]) < 0) this.ordered = false;
    this.labels.push(labels);
    this.body += renderSampleLine(this.name + suffix, labels, value);
    return this;
  }

  get size(): number {
    return this.labels.length;
  }

  render(): string {
    if (this.labels.length === 0) return "";
    let body = this.body;
    if (!this.ordered) {
      // One line per sample: a newline inside a label value is written escaped.
      const lines = body.split("\n");
      const keys = this.labels.map(seriesKey);
      // Array.prototype.sort is stable: equal keys (one series' parts) keep the order they were added in.
      const order = keys.map((_, i) => i).sort((a, b) => compareKeys(keys[a]!, keys[b]!));
      body = "";
      for (const i of order) body += lines[i] + "\n";
    }
    return renderHeader(this.name, this.type, this.help) + body;
  }
}

/**
 * A set of families under construction, keyed by name: adding to a family that exists appends to it, so
 * several sources (collectors, the process metrics) can contribute to one scrape without duplicate headers.
 */
export class MetricSet {
  private readonly families = new Map<string, FamilyBuilder>();

  family(name: string, type: MetricType, help: string): FamilyBuilder {
    let f = this.families.get(name);
    if (!f) {
      f = new FamilyBuilder(name, type, help);
      this.families.set(name, f);
    }
    return f;
  }

  gauge(name: string, help: string, value: number, labels?: Labels): void {
    this.family(name, "gauge", help).add(value, labels);
  }

  counter(name: string, help: string, value: number, labels?: Labels): void {
    this.family(name, "counter", help).add(value, labels);
  }

  untyped(name: string, help: string, value: number, labels?: Labels): void {
    this.family(name, "untyped", help).add(value, labels);
  }

  has(name: string): boolean {
    return this.families.has(name);
  }

  get(name: string): FamilyBuilder | undefined {
    return this.families.get(name);
  }

  names(): IterableIterator<string> {
    return this.families.keys();
  }

  /** Removes and returns a family, for callers that merge it into text of their own. */
  take(name: string): FamilyBuilder | undefined {
    const f = this.families.get(name);
    this.families.delete(name);
    return f;
  }

  /** Families in name order: stable output that diffs cleanly between scrapes. */
  render(): string {
    const names = [...this.families.keys()].sort();
    let out = "";
    for (const n of names) out += this.families.get(n)!.render();
    return out;
  }
}
