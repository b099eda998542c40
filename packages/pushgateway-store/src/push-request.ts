/** What the push store is asked to do, and how it is set up. */
import type { Logger, MetricFamily, NameValidation } from "@agent/core";
import type { GroupLabels } from "./grouping-key.ts";

export interface PushStoreOptions {
  checkConsistency: boolean;
  /** 0: no limit. */
  maxGroups: number;
  /** 0: no limit. */
  maxSeriesPerPush: number;
  /** Which metric and label names pushes may use; legacy unless --push.enable-utf8-names. */
  names?: NameValidation;
  log: Logger;
  /** Told each deadline (Unix ms) a change gives a group, before the change commits. */
  onDeadline?: (at: number) => void;
}

export interface PushRequest {
  labels: GroupLabels;
  families: readonly MetricFamily[];
  /** PUT replaces the whole group; POST only the families it names. */
  replace: boolean;
  /** Seconds the group lives after this push; 0: until deleted. */
  ttl: number;
}
