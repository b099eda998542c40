/**
 * A role's exposition text turned into the samples a Prometheus scrape of that role would store: the
 * target's `job` and `instance` set (or, with honor_labels as Pushgateway scrapes use it, kept from the
 * text and only added where the text lacks them), `external_labels` added where absent, empty values gone.
 */
import { parseText } from "@agent/core";
import type { WireSample } from "./wire.ts";

export interface SeriesOptions {
  /** job and instance, as the scrape's target labels. */
  target: Readonly<Record<string, string>>;
  /** Keep labels the text has over the target's (`honor_labels: true`); else they become `exported_<name>`. */
  honorLabels: boolean;
  externalLabels: Readonly<Record<string, string>>;
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

export function seriesFromText(text: string, timestampMs: number, opts: SeriesOptions): Series[] {
  const out: Series[] = [];
  const target = Object.entries(opts.target);
  const external = Object.entries(opts.externalLabels);
  for (const family of parseText(text)) {
    for (const s of family.samples) {
      // A plain object per sample, then its names sorted: cheaper than a Map at hundreds of thousands of series.
      const all: Record<string, string> = { __name__: s.name };
      for (const name in s.labels) all[name] = s.labels[name]!;
      for (const [name, value] of target) {
        const had = all[name];
        if (opts.honorLabels) {
          if (had === undefined) all[name] = value;
        } else {
          if (had !== undefined && had !== "") all[`exported_${name}`] = had;
          all[name] = value;
        }
      }
      for (const [name, value] of external) if (all[name] === undefined) all[name] = value;
      const labels: string[] = [];
      for (const name of Object.keys(all).sort()) {
        const v = all[name]!;
        if (v !== "") labels.push(name, v);
      }
      out.push({ key: seriesKey(labels), labels, value: s.value, timestampMs: s.timestampMs ?? timestampMs });
    }
  }
  return out;
}
