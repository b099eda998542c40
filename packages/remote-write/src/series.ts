/**
 * A role's collection turned into the samples a Prometheus scrape of that role would store: the target's
 * `job` and `instance` set (or, with honor_labels as Pushgateway scrapes use it, kept from the collection
 * and only added where it lacks them), `external_labels` added where absent, empty values gone.
 */
import { escapeName, type Collection } from "@agent/core";
import type { WireSample } from "./wire.ts";

export interface SeriesOptions {
  /** job and instance, as the scrape's target labels. */
  target: Readonly<Record<string, string>>;
  /** Keep labels the text has over the target's (`honor_labels: true`); else they become `exported_<name>`. */
  honorLabels: boolean;
  externalLabels: Readonly<Record<string, string>>;
  /** Escape UTF-8 metric and label names to classic ones, as a scrape that asks for no escaping scheme gets them. */
  escapeNames?: boolean;
}

/** A sample with its identity: `key` is the same string for the same label set from one collection to the next. */
export interface Series extends WireSample {
  key: string;
}

export function seriesKey(labels: readonly string[]): string {
  return labels.join("\xff");
}

/** Sorted flat pairs from a map, without empty values. */
export function flatLabels(map: ReadonlyMap<string, string>): string[] {
  const names = [...map.keys()].sort();
  const out: string[] = [];
  for (const n of names) {
    const v = map.get(n)!;
    if (v !== "") out.push(n, v);
  }
  return out;
}

export function seriesFromCollection(collection: Collection, timestampMs: number, opts: SeriesOptions): Series[] {
  const out: Series[] = [];
  const target = Object.entries(opts.target);
  const external = Object.entries(opts.externalLabels);
  const name = opts.escapeNames ? (n: string) => escapeName(n, "underscores") : (n: string) => n;
  collection.forEachSample((sample, pairs, value) => {
    // A plain object per sample, then its names sorted: cheaper than a Map at hundreds of thousands of series.
    const all: Record<string, string> = { __name__: name(sample) };
    for (let i = 0; i + 1 < pairs.length; i += 2) all[name(pairs[i]!)] = pairs[i + 1]!;
    for (const [label, value] of target) {
      const had = all[label];
      if (opts.honorLabels) {
        if (had === undefined) all[label] = value;
      } else {
        if (had !== undefined && had !== "") all[`exported_${label}`] = had;
        all[label] = value;
      }
    }
    for (const [label, value] of external) if (all[label] === undefined) all[label] = value;
    const labels: string[] = [];
    for (const label of Object.keys(all).sort()) {
      const v = all[label]!;
      if (v !== "") labels.push(label, v);
    }
    out.push({ key: seriesKey(labels), labels, value, timestampMs });
  });
  return out;
}
