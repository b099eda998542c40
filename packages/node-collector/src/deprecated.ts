/** node_exporter 1.8.2 warns once, when it starts, that runit, supervisord and ntp are deprecated; so do we, from create. */
import type { Logger } from "@agent/core";

export function warnDeprecated(collector: string, log: Logger): void {
  log.warn("This collector is deprecated and will be removed in the next major version release.", { collector });
}
