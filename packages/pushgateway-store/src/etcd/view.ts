/**
 * What this agent's view of the groups in etcd reflects, and how a read or a watched revision moves it on:
 * the marker's revision it has seen (pushes commit only on it), the revision the watch goes on from, each
 * group's revision, and how many changes reached it from elsewhere.
 *
 * Every change rewrites one marker key with the writing agent's id, so the watch tells this agent's own
 * changes (already in its view) from other agents' by the marker's value in the same revision.
 */
import { dbKey, fromRecord, GROUP_PREFIX, Interner, type GroupRecord } from "../group-db.ts";
import type { StorageFollower } from "../group-storage.ts";
import type { Group } from "../group.ts";
import { groupingKey } from "../grouping-key.ts";
import { StorageFailure } from "../storage-failure.ts";
import { text, type KeyValue, type WatchEvent } from "./client.ts";
import type { Replicas } from "./replicas.ts";

/** How long catchUp waits for the watch to reach the revision a refused push needs. */
const CATCH_UP_MS = 5000;

export class EtcdView {
  readonly marker: string;
  /** The marker's revision that this view reflects; pushes commit only on it. */
  seen = 0;
  /** After a StaleView, the marker revision the view must reach. */
  target = 0;
  /** Revision the watch starts from: one after the last read or watched revision. */
  from = 0;
  /**
   * Counts changes to the view that are not this agent's own commits (another agent's, through the watch;
   * a fresh read). A save checked before one of them must be checked again: its commit would otherwise
   * compare against a marker that includes a change its push was never checked against, and the watch,
   * taking the commit for this agent's own, would never bring its group into the view.
   */
  othersChanges = 0;
  /** Told of other agents' changes once the store follows. */
  follower: StorageFollower | undefined;
  private waiters: Array<() => void> = [];
  /** Group key -> revision of its last change, for expiry that removes only what it saw. */
  private readonly revisions = new Map<string, number>();
  /** etcd key -> group key: delete events carry only the etcd key. */
  private readonly groupKeys = new Map<string, string>();

  constructor(
    private readonly prefix: string,
    private readonly id: string,
    private readonly replicas: Replicas,
  ) {
    this.marker = `${prefix}marker`;
  }

  /** Keys under the prefix that are not groups (the marker, a later format's) are left alone. */
  isGroup(key: string): boolean {
    return key.startsWith(this.prefix + GROUP_PREFIX);
  }

  etcdKey(groupKey: string): string {
    return this.prefix + dbKey(groupKey);
  }

  revisionOf(groupKey: string): number | undefined {
    return this.revisions.get(groupKey);
  }

  /** The view as a read of everything under the prefix at `revision` gives it; returns the groups. */
  load(kvs: readonly KeyValue[], revision: number): Group[] {
    this.revisions.clear();
    this.groupKeys.clear();
    this.replicas.clear();
    this.seen = 0;
    const intern = new Interner();
    const groups: Group[] = [];
    for (const kv of kvs) {
      const key = text(kv.key);
      const rev = Number(kv.mod_revision);
      if (key === this.marker) this.seen = rev;
      else if (this.replicas.holds(key)) this.replicas.note(key, text(kv.value));
      else if (this.isGroup(key)) {
        const g = fromRecord(JSON.parse(text(kv.value)) as GroupRecord, intern);
        this.revisions.set(g.key, rev);
        this.groupKeys.set(key, g.key);
        groups.push(g);
      }
    }
    this.from = revision + 1;
    return groups;
  }

  /** This agent's own commit of `groups` went through at `rev`. */
  committed(groups: Iterable<Group>, rev: number): void {
    this.seen = Math.max(this.seen, rev);
    for (const g of groups) {
      this.revisions.set(g.key, rev);
      this.groupKeys.set(this.etcdKey(g.key), g.key);
    }
  }

  /**
   * This agent removed `keys` at `rev`; `basis` is othersChanges when the removal was asked for. Another
   * agent's change that the watch brought after the removal was asked for, but that etcd ordered before it,
   * is gone too; the watch skips the removal as this agent's own, so it is taken out of the view here (and
   * saves checked with it in the view are checked again).
   */
  removed(keys: readonly string[], rev: number, basis: number): void {
    for (const k of keys) {
      if (basis !== this.othersChanges && (this.revisions.get(k) ?? rev) < rev) {
        this.othersChanges++;
        this.follower?.apply(k, undefined);
      }
      this.revisions.delete(k);
    }
  }

  /** A watch message's events, which come in revision order, each revision's events together. */
  applyEvents(events: readonly WatchEvent[]): void {
    for (let i = 0; i < events.length; ) {
      const rev = Number(events[i]!.kv.mod_revision);
      let j = i;
      while (j < events.length && Number(events[j]!.kv.mod_revision) === rev) j++;
      this.applyRevision(events.slice(i, j), rev);
      i = j;
    }
  }

  private applyRevision(events: readonly WatchEvent[], rev: number): void {
    // Keys decoded once; a value only where it is read (a group's record is the bulk of an event).
    const keys = events.map((e) => text(e.kv.key));
    const markerAt = keys.indexOf(this.marker);
    const own = markerAt >= 0 && text(events[markerAt]!.kv.value) === this.id;
    const intern = new Interner();
    if (!own && keys.some((k) => this.isGroup(k))) this.othersChanges++;
    for (let i = 0; i < events.length; i++) {
      const e = events[i]!;
      const key = keys[i]!;
      if (this.replicas.holds(key)) this.replicas.note(key, e.type === "DELETE" ? undefined : text(e.kv.value));
      if (!this.isGroup(key)) continue;
      if (e.type === "DELETE") {
        const groupKey = this.groupKeys.get(key);
        if (groupKey === undefined) continue;
        this.groupKeys.delete(key);
        // This agent's own removal may come through before etcd's answer to it, which needs the revision
        // of what the view holds (see removed).
        if (own) continue;
        this.revisions.delete(groupKey);
        this.follower!.apply(groupKey, undefined);
      } else {
        // This agent's own change is in its view already: its key is all it needs, not the group rebuilt.
        const record = JSON.parse(text(e.kv.value)) as GroupRecord;
        const g = own ? undefined : fromRecord(record, intern);
        const groupKey = g?.key ?? groupingKey(record.labels);
        this.groupKeys.set(key, groupKey);
        this.revisions.set(groupKey, rev);
        if (g) this.follower!.apply(groupKey, g);
      }
    }
    this.from = rev + 1;
    if (markerAt >= 0) {
      this.seen = Math.max(this.seen, rev);
      if (this.seen >= this.target) for (const w of this.waiters.splice(0)) w();
    }
  }

  /** Settles once the watch brought the view to `target`, or fails after CATCH_UP_MS. */
  async catchUp(): Promise<void> {
    if (this.seen >= this.target) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        new Promise<void>((resolve) => this.waiters.push(resolve)),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new StorageFailure("unreachable", `etcd watch did not reach revision ${this.target} within ${CATCH_UP_MS} ms`)), CATCH_UP_MS);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
}
