/** Every collector, as a list in name order: a module namespace object lists its exports sorted by name. */
import type { Collector } from "../collector.ts";
import * as collectors from "./index.ts";

export const allCollectors: readonly Collector[] = Object.values(collectors);
