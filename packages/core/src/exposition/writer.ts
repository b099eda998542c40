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

/** Go's strconv formatting as Prometheus writes it: `NaN`, `+Inf`, `-Inf`, shortest round-trip otherwise. */
export function formatValue(value: number): string {
  if (Number.isInteger(value)) {
    // Integers beyond 2^53 are still exact decimal strings in JS, but 1e21 and up switch to exponent form,
    // which the text format accepts; keep JS's shortest round-trip form there too.
    return String(value);
  }
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
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

/** `{a="1",b="2"}`, or "" for no labels. */
export function renderLabels(labels: Labels | undefined): string {
  if (!labels) return "";
  let out = "";
  for (const key in labels) {
    out += (out ? "," : "{") + key + '="' + escapeLabelValue(labels[key]!) + '"';
  }
  return out ? out + "}" : "";
}

/** How a sample's value is written; Go-written originals need `formatGoFloat` to match byte for byte. */
export type ValueFormat = (value: number) => string;

export function renderSampleLine(
  name: string,
  labels: Labels | undefined,
  value: number,
  timestampMs?: number,
  format: ValueFormat = formatValue,
): string {
  const ts = timestampMs === undefined ? "" : " " + timestampMs;
  return name + renderLabels(labels) + " " + format(value) + ts + "\n";
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

/** One family being built: a header and the sample lines added so far. */
export class FamilyBuilder {
  private body = "";
  private count = 0;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
    private readonly format: ValueFormat = formatValue,
  ) {}

  /** Adds one sample; `suffix` is for histogram and summary parts (`_bucket`, `_sum`, `_count`). */
  add(value: number, labels?: Labels, suffix = ""): this {
    this.body += renderSampleLine(this.name + suffix, labels, value, undefined, this.format);
    this.count++;
    return this;
  }

  get size(): number {
    return this.count;
  }

  render(): string {
    return this.count === 0 ? "" : renderHeader(this.name, this.type, this.help) + this.body;
  }
}

/**
 * A set of families under construction, keyed by name: adding to a family that exists appends to it, so
 * several sources (collectors, the process metrics) can contribute to one scrape without duplicate headers.
 */
export class MetricSet {
  private readonly families = new Map<string, FamilyBuilder>();

  family(name: string, type: MetricType, help: string, format?: ValueFormat): FamilyBuilder {
    let f = this.families.get(name);
    if (!f) {
      f = new FamilyBuilder(name, type, help, format);
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
