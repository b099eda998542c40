/**
 * Families built as values: a sample is kept as (name suffix, labels, value) and rendered to text when the
 * family is first rendered, then served from that render until a sample is added. Readers that want numbers
 * (the node page's history) take the values, never the text.
 */
import type { Collection, Labels, MetricFamily, MetricType, Sample, SampleVisitor } from "./model.ts";
import { renderHeader, renderSampleLine } from "./render.ts";

/**
 * What client_golang sorts a family's series by: their label values, taken in label-name order. The part
 * label (le, quantile) is left out so that a histogram's or summary's lines stay together, in the order added.
 */
function sortKey(labels: Labels | undefined): string {
  if (!labels) return "";
  let key = "";
  let prev = "";
  for (const name in labels) {
    if (name < prev) return sortKey(Object.fromEntries(Object.keys(labels).sort().map((k) => [k, labels[k]!])));
    prev = name;
    if (name !== "le" && name !== "quantile") key += labels[name] + "\0";
  }
  return key;
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * sortKey(a) against sortKey(b) without building either when a's names are in order and b has them all,
 * the common case: a scrape adds thousands of samples, nearly all in order already.
 */
function compareSeries(a: Labels | undefined, b: Labels | undefined): number {
  if (!a || !b) return compareKeys(sortKey(a), sortKey(b));
  let prev = "";
  for (const name in a) {
    if (name < prev || !(name in b)) return compareKeys(sortKey(a), sortKey(b));
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

/**
 * One family being built: its samples as values. render() writes them in client_golang's series order,
 * which costs nothing when they came in order, and keeps the text until the next add().
 */
export class FamilyBuilder {
  private readonly suffixes: string[] = [];
  private readonly labels: (Labels | undefined)[] = [];
  private readonly values: number[] = [];
  private ordered = true;
  private rendered: string | undefined;

  constructor(
    readonly name: string,
    readonly type: MetricType,
    readonly help: string,
  ) {}

  /** Adds one sample; `suffix` is for histogram and summary parts (`_bucket`, `_sum`, `_count`). */
  add(value: number, labels?: Labels, suffix = ""): this {
    const n = this.labels.length;
    if (this.ordered && n > 0 && compareSeries(labels, this.labels[n - 1]) < 0) this.ordered = false;
    this.suffixes.push(suffix);
    this.labels.push(labels);
    this.values.push(value);
    this.rendered = undefined;
    return this;
  }

  get size(): number {
    return this.labels.length;
  }

  /** Sample indices in series order; Array.prototype.sort is stable, so one series' parts keep their order. */
  private order(): number[] {
    const order = this.labels.map((_, i) => i);
    if (this.ordered) return order;
    const keys = this.labels.map(sortKey);
    return order.sort((a, b) => compareKeys(keys[a]!, keys[b]!));
  }

  render(): string {
    if (this.rendered !== undefined) return this.rendered;
    if (this.labels.length === 0) return "";
    let body = "";
    for (const i of this.order()) body += renderSampleLine(this.name + this.suffixes[i], this.labels[i], this.values[i]!);
    this.rendered = renderHeader(this.name, this.type, this.help) + body;
    return this.rendered;
  }

  /** Every sample, in the order render() writes them. */
  forEachSample(visit: SampleVisitor): void {
    for (const i of this.order()) {
      const labels = this.labels[i];
      const pairs: string[] = [];
      for (const name in labels) pairs.push(name, labels[name]!);
      visit(this.name + this.suffixes[i], pairs, this.values[i]!);
    }
  }

  /** The family as values, samples in series order. */
  toFamily(): MetricFamily {
    const samples: Sample[] = this.order().map((i) => ({ name: this.name + this.suffixes[i], labels: this.labels[i] ?? {}, value: this.values[i]! }));
    return { name: this.name, type: this.type, help: this.help, samples };
  }
}

/**
 * A set of families under construction, keyed by name: adding to a family that exists appends to it, so
 * several sources (collectors, the process metrics) can contribute to one scrape without duplicate headers.
 */
export class MetricSet implements Collection {
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

  /** Adds a family built elsewhere; false, adding nothing, when one of that name is here already. */
  adopt(family: FamilyBuilder): boolean {
    if (this.families.has(family.name)) return false;
    this.families.set(family.name, family);
    return true;
  }

  /** Removes and returns a family, for callers that merge it into a set or text of their own. */
  take(name: string): FamilyBuilder | undefined {
    const f = this.families.get(name);
    this.families.delete(name);
    return f;
  }

  /** Families in name order: stable output that diffs cleanly between scrapes. */
  render(): string {
    let out = "";
    for (const f of this.sorted()) out += f.render();
    return out;
  }

  forEachSample(visit: SampleVisitor): void {
    for (const f of this.sorted()) f.forEachSample(visit);
  }

  private sorted(): FamilyBuilder[] {
    return [...this.families.keys()].sort().map((n) => this.families.get(n)!);
  }
}
