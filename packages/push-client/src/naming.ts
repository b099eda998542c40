/**
 * Naming rules, enforced in one place for every metric the library builds: snake_case, an optional prefix
 * shared by the whole job, base units spelled out in the name, `_total` on counters. Names that break them
 * are dropped with a reason instead of reaching a dashboard where nobody can tell milliseconds from seconds.
 */

import { isValidLabelName } from "@agent/core/exposition";

const SNAKE_CASE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** Unit suffixes Prometheus spells in base units instead; the value says which. */
const NON_BASE_UNITS: Record<string, string> = {
  ms: "seconds",
  millis: "seconds",
  milliseconds: "seconds",
  microseconds: "seconds",
  nanoseconds: "seconds",
  minutes: "seconds",
  hours: "seconds",
  days: "seconds",
  kb: "bytes",
  mb: "bytes",
  gb: "bytes",
  kilobytes: "bytes",
  megabytes: "bytes",
  gigabytes: "bytes",
  percent: "ratio (0..1)",
};

/** `etl` + `rows_total` -> `etl_rows_total`; a name already carrying the prefix is left alone. */
export function applyPrefix(prefix: string | undefined, name: string): string {
  if (!prefix || name === prefix || name.startsWith(prefix + "_")) return name;
  return `${prefix}_${name}`;
}

/** The reason a metric name breaks the rules, or undefined when it is fine. */
export function nameProblem(name: string, type: "gauge" | "counter" | "untyped"): string | undefined {
  if (!SNAKE_CASE.test(name)) return `"${name}" is not snake_case (lower-case words joined by "_")`;
  const last = name.slice(name.lastIndexOf("_") + 1);
  const base = NON_BASE_UNITS[last];
  if (base) return `"${name}" uses the unit "${last}"; use ${base} in the name and value instead`;
  const endsTotal = name.endsWith("_total");
  if (type === "counter" && !endsTotal) return `counter "${name}" must end in _total`;
  if (type !== "counter" && endsTotal) return `"${name}" ends in _total but is a ${type}; make it a counter`;
  return undefined;
}

export function labelProblem(name: string): string | undefined {
  if (!isValidLabelName(name)) return `"${name}" is not a valid label name`;
  if (name.startsWith("__")) return `label "${name}" is reserved (starts with __)`;
  return undefined;
}
