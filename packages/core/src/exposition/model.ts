/** The data model every role speaks: Prometheus metric families as the text format 0.0.4 describes them. */

export type MetricType = "counter" | "gauge" | "histogram" | "summary" | "untyped";

/** Label name -> value. Order of keys is the order they are written in. */
export type Labels = Readonly<Record<string, string>>;

export interface Sample {
  /** Full sample name, e.g. `http_request_duration_seconds_bucket`. */
  name: string;
  labels: Labels;
  value: number;
  /** Milliseconds since the epoch, when the source gave one. */
  timestampMs?: number;
}

export interface MetricFamily {
  name: string;
  type: MetricType;
  /** Undefined when the source had no HELP line; "" when it had an empty one. */
  help?: string;
  samples: Sample[];
}

/** One sample as a scrape would store it: its full name (`_bucket`, `_sum`...), label pairs flat (`[name, value, ...]`), value. */
export type SampleVisitor = (name: string, labels: readonly string[], value: number) => void;

/**
 * One collection of a role's metrics as values. /metrics is render()'s text and remote write visits the
 * samples, so what is sent is what a scrape shows; neither renders text to parse it back.
 */
export interface Collection {
  /** The exposition text, rendered from the values. */
  render(): string;
  /** Calls `visit` for every sample render() writes. */
  forEachSample(visit: SampleVisitor): void;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Which names are legal: `legacy`, the classic patterns above; `utf8`, any non-empty UTF-8 text, as
 * prometheus/common's UTF8Validation (Pushgateway's --push.enable-utf8-names) allows.
 */
export type NameValidation = "legacy" | "utf8";

export function isValidMetricName(name: string, validation: NameValidation = "legacy"): boolean {
  return METRIC_NAME.test(name) || (validation === "utf8" && name !== "" && name.isWellFormed());
}

/** A legal label name; names starting with `__` are reserved by Prometheus and checked separately. */
export function isValidLabelName(name: string, validation: NameValidation = "legacy"): boolean {
  return LABEL_NAME.test(name) || (validation === "utf8" && name !== "" && name.isWellFormed());
}

/** The label that tells a histogram's buckets (`le`) or a summary's quantiles apart; not part of a metric's identity. */
export function partLabelOf(type: MetricType): "le" | "quantile" | undefined {
  return type === "histogram" ? "le" : type === "summary" ? "quantile" : undefined;
}

/** The sample-name suffixes a family of this type may add to its own name. */
export function suffixesOf(type: MetricType): readonly string[] {
  switch (type) {
    case "histogram":
      return ["_bucket", "_sum", "_count"];
    case "summary":
      return ["_sum", "_count"];
    default:
      return [];
  }
}

/**
 * A series' identity: its name and its label pairs, sorted by label name and flat (`[name, value, ...]`),
 * as one string that two series share exactly when they are the same series (JSON quoting keeps any name
 * or value from running into the next). The one key every index of series uses.
 */
export function seriesIdentity(name: string, sortedFlatPairs: readonly string[]): string {
  return JSON.stringify([name, sortedFlatPairs]);
}
