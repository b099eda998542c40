/** Values summed per label set, for one output family whose label names are fixed. */
export class LabelledSums {
  private readonly byKey = new Map<string, { values: string[]; sum: number }>();

  constructor(readonly labelNames: readonly string[]) {}

  add(values: string[], amount: number): void {
    const key = values.join("\u0000");
    const entry = this.byKey.get(key);
    if (entry) entry.sum += amount;
    else this.byKey.set(key, { values, sum: amount });
  }

  get size(): number {
    return this.byKey.size;
  }

  /** Entries in label order, so output is stable between scrapes. */
  sorted(): { values: string[]; sum: number }[] {
    return [...this.byKey.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, e]) => e);
  }

  /** Sums regrouped by one label, added into `into` (so several families can be totalled together). */
  totalsBy(label: string, into = new Map<string, number>()): Map<string, number> {
    const at = this.labelNames.indexOf(label);
    if (at < 0) throw new Error(`no label ${label} in ${this.labelNames.join(",")}`);
    for (const { values, sum } of this.byKey.values()) into.set(values[at]!, (into.get(values[at]!) ?? 0) + sum);
    return into;
  }
}
