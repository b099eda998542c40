/** Every collector the node role knows, one per line; each file registers its name and default. */
import type { Collector } from "../collector.ts";
import { arp } from "./arp.ts";
import { bcache } from "./bcache.ts";
import { bonding } from "./bonding.ts";
import { btrfs } from "./btrfs.ts";

export const allCollectors: Collector[] = [
  arp,
  bcache,
  bonding,
  btrfs,
];
