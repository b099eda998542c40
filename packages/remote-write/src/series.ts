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
      const map = new Map<string, string>(Object.entries(s.labels));
      for (const [name, value] of target) {
        const had = map.get(name);
        if (opts.honorLabels) {
          if (had === undefined) map.set(name, value);
        } else {
          if (had !== undefined && had !== "") map.set(`exported_${name}`, had);
          map.set(name, value);
        }
      }
      for (const [name, value] of external) if (!map.has(name)) map.set(name, value);
      map.set("__name__", s.name);
      const labels = flatLabels(map);
      out.push({ key: seriesKey(labels), labels, value: s.value, timestampMs: s.timestampMs ?? timestampMs });
    }
  }
  return out;
}
