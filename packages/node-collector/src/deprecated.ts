/**
 * node_exporter 1.8.2 warns once, when it starts, that runit, supervisord and ntp are deprecated. Collectors
 * have no start hook here, so the warning comes with a collector's first scrape instead, once per process.
 */
import type { Logger } from "@agent/core";

const warned = new Set<string>();

export function warnDeprecatedOnce(collector: string, log: Logger): void {
  if (warned.has(collector)) return;
  warned.add(collector);
  log.warn("This collector is deprecated and will be removed in the next major version release.", { collector });
}
