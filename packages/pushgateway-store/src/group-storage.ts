/**
 * What the push store needs from the place its groups live: the embedded LMDB file (GroupDb, one host) or
 * an etcd cluster (EtcdGroupStore, any number of agents serving the same groups). Every method settles
 * once the change is durable there; a failure is a StorageFailure.
 */
import type { Group } from "./group.ts";

/** How a shared store tells the push store about changes other agents made. */
export interface StorageFollower {
  /** Another agent stored (group) or removed (undefined) the group under `key`. */
  apply(key: string, group: Group | undefined): void;
  /** The view was rebuilt from a fresh read: these are all the groups there are. */
  reset(groups: readonly Group[]): void;
  /** The store can be reached again after a failure. */
  reachable(): void;
}

export interface GroupStorage {
  /** `lmdb` or `etcd`, for the push page. */
  readonly kind: string;
  /** Where the groups are: the LMDB directory, or the etcd endpoints. */
  readonly location: string;
  save(g: Group): Promise<void>;
  remove(groupKey: string): Promise<void>;
  /** Removes these groups; with `ifUnchanged`, only those no one changed since this agent saw them. Returns how many went. */
  removeAll(groupKeys: readonly string[], ifUnchanged?: boolean): Promise<number>;
  sizeBytes(): number;
  /** The agents serving these groups, for the push page; empty for a store only this agent uses. */
  replicas(): string[];
  /** Times a shared store's view was rebuilt from a fresh read after losing its watch; undefined for LMDB. */
  readonly resyncs?: number;
  /** Bytes left where the store writes; undefined where that means nothing (etcd). */
  freeBytes(): number | undefined;
  /** Why this agent cannot serve right now (e.g. etcd out of reach); undefined when it can. */
  unready(): string | undefined;
  /** Starts telling `f` about changes made by others; a no-op for a store only this agent writes. */
  follow(f: StorageFollower): void;
  /** After a StaleView: settles once this agent's view holds every change made before the refused one. */
  catchUp(): Promise<void>;
  close(): Promise<void>;
}

/** A shared store refused a change because another agent changed the groups since this agent last saw them. */
export class StaleView extends Error {
  constructor() {
    super("another agent changed the stored groups first");
  }
}
