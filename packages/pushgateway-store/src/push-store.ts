/**
 * The push store: applies pushes, deletes, failures and expiry to the in-memory index and commits each
 * change to its storage (LMDB, or etcd shared by several agents) before the caller acknowledges it. Also
 * the typed read API the HTTP routes and pages use.
 */
import { addProcessMetrics, MetricSet, type Collection, type MetricType } from "@agent/core";
import type { StoredFamily } from "./families.ts";
import { emptyGroup, expiryOf, summaries, type Group, type GroupSummary } from "./group.ts";
import { prepareFamilies } from "./grouping.ts";
import { PushRejected } from "./push-rejected.ts";
import { renderGroup } from "./render-metrics.ts";
import type { PushRequest, PushStoreOptions } from "./push-request.ts";
import { StaleView, type GroupStorage } from "./group-storage.ts";
import { groupingKey, type GroupLabels } from "./grouping-key.ts";
import { MemoryIndex } from "./memory-index.ts";
import { PushStats } from "./own-metrics.ts";
import { StorageFailure, StorageHealth } from "./storage-failure.ts";

/** Pushgateway's wording for every refusal that records push_failure_time_seconds. */
const INVALID = "pushed metrics are invalid or inconsistent with existing metrics";

export class PushStore {
  readonly stats = new PushStats();
  private readonly health: StorageHealth;
  private readonly index = new MemoryIndex();
  /** Families the agent serves itself on /metrics, by name; a push may not give them another type. */
  private readonly ownTypes = new Map<string, MetricType>();

  /** `groups`: what `db` held at start (its loadAll()). */
  constructor(
    private readonly db: GroupStorage,
    private readonly opts: PushStoreOptions,
    groups: readonly Group[],
  ) {
    this.index.load(groups);
    this.health = new StorageHealth(opts.log, () => db.freeBytes());
    db.follow({
      apply: (key, group) => {
        this.index.replace(this.index.get(key), group);
        // Another agent's group expires here too, should that agent be gone by its deadline.
        if (group && group.expiresAt > 0) this.opts.onDeadline?.(group.expiresAt);
      },
      reset: (all) => this.reset(all),
      reachable: () => this.health.succeeded(),
    });
    // The frame adds process_* to /metrics; know their types before the first scrape does.
    const probe = new MetricSet();
    addProcessMetrics(probe);
    this.stats.addTo(probe, { groups: 0, series: 0, storageBytes: 0 }, this.health.errors);
    this.learnOwnTypes(probe);
  }

  get groups(): number {
    return this.index.size;
  }

  get series(): number {
    return this.index.series;
  }

  /** Records the types of the families in `own`. */
  private learnOwnTypes(own: MetricSet): void {
    for (const name of own.names()) this.ownTypes.set(name, own.get(name)!.type);
  }

  /** Which storage holds the groups, and where. */
  get storage(): { kind: string; location: string; replicas: string[] } {
    return { kind: this.db.kind, location: this.db.location, replicas: this.db.replicas() };
  }

  /** Why the store cannot serve now; undefined when it can. */
  unready(): string | undefined {
    return this.db.unready();
  }

  /** Makes the index hold exactly `groups`, read afresh from a shared store. */
  private reset(groups: readonly Group[]): void {
    const keep = new Set(groups.map((g) => g.key));
    for (const g of [...this.index.all()]) if (!keep.has(g.key)) this.index.replace(g, undefined);
    for (const g of groups) this.index.replace(this.index.get(g.key), g);
    const next = this.nextExpiry();
    if (next > 0) this.opts.onDeadline?.(next);
  }

  /**
   * Checks and stores a push. With a shared store, a commit is refused (StaleView) if another agent changed
   * the groups since this one checked; the push is then checked again against the view caught up.
   */
  async push(req: PushRequest): Promise<void> {
    for (;;) {
      try {
        return await this.tryPush(req);
      } catch (e) {
        if (!(e instanceof StaleView)) throw e;
        try {
          await this.db.catchUp();
        } catch (e) {
          if (e instanceof StorageFailure) throw this.health.failed(e);
          throw e;
        }
      }
    }
  }

  private async tryPush(req: PushRequest): Promise<void> {
    const at = Date.now();
    const key = groupingKey(req.labels);
    let prepared;
    try {
      prepared = prepareFamilies(req.families, req.labels, at, this.opts.names);
    } catch (e) {
      if (!(e instanceof PushRejected && e.failure)) throw e;
      const message = `${INVALID}: ${e.message}`;
      await this.recordFailure(req.labels, message, req.ttl, at);
      throw new PushRejected(message, e.reason, e.status, true);
    }
    if (this.opts.maxSeriesPerPush > 0) {
      const n = prepared.reduce((sum, p) => sum + p.family.series, 0);
      if (n > this.opts.maxSeriesPerPush) {
        throw new PushRejected(`push carries ${n} metrics, more than --push.max-series-per-push=${this.opts.maxSeriesPerPush}`, "too_many_series", 413, false);
      }
    }
    const old = this.index.get(key);
    if (!old) this.checkRoom();
    if (this.opts.checkConsistency) {
      const why = this.index.conflict(key, req.replace, prepared, this.ownTypes);
      if (why) {
        const message = `${INVALID}: ${why}`;
        await this.recordFailure(req.labels, message, req.ttl, at);
        throw new PushRejected(message, "inconsistent", 400, true);
      }
    }
    const families = new Map<string, StoredFamily>(req.replace || !old ? [] : old.families);
    for (const { family } of prepared) families.set(family.name, family);
    const next: Group = {
      ...(old ?? emptyGroup(req.labels, at)),
      families,
      pushTime: at / 1000,
      ttl: req.ttl,
      expiresAt: expiryOf(req.ttl, at),
    };
    await this.commit(old, next);
    this.stats.countPush(req.replace ? "PUT" : "POST");
  }

  /** Sets push_failure_time_seconds, creating the group if needed, as Pushgateway does for a refused push. */
  private async recordFailure(labels: GroupLabels, reason: string, ttl: number, at: number): Promise<void> {
    const key = groupingKey(labels);
    const old = this.index.get(key);
    if (!old && this.full()) return;
    const base = old ?? { ...emptyGroup(labels, at), ttl, expiresAt: expiryOf(ttl, at) };
    try {
      await this.commit(old, { ...base, failTime: at / 1000, failReason: reason });
    } catch (e) {
      // The push is refused for what it carries either way; the storage error is counted and logged already,
      // and a failure time lost to another agent's change is no reason to check the push again.
      if (!(e instanceof PushRejected || e instanceof StaleView)) throw e;
    }
  }

  private full(): boolean {
    return this.opts.maxGroups > 0 && this.index.size >= this.opts.maxGroups;
  }

  private checkRoom(): void {
    if (this.full()) {
      throw new PushRejected(
        `the store is full: it holds ${this.index.size} groups, the most --push.max-groups allows; delete groups or raise the limit`,
        "too_many_groups",
        507,
        false,
      );
    }
  }

  /**
   * Applies the change in memory at once (so pushes checked later in this turn see it), then waits for
   * the storage to commit it. If the commit fails, the change is undone, unless a later one replaced it
   * already (or, on etcd, another agent's change arrived meanwhile).
   * While the storage is known to be broken, a change is refused before it starts, unless it is `forced`
   * (deletes: their success shows the store writable again, and frees pages inside it for later pushes).
   */
  private async commit(old: Group | undefined, next: Group | undefined, forced = false): Promise<void> {
    if (!forced && !this.health.writable()) throw this.health.refusal();
    const key = (next ?? old)!.key;
    this.index.replace(old, next);
    if (next && next.expiresAt > 0) this.opts.onDeadline?.(next.expiresAt);
    const started = performance.now();
    try {
      if (next) await this.db.save(next);
      else await this.db.remove(key);
    } catch (e) {
      if (this.index.get(key) === next) this.index.replace(next, old);
      if (e instanceof StaleView || !(e instanceof StorageFailure)) throw e;
      throw this.health.failed(e);
    }
    this.health.succeeded();
    this.stats.observeCommit((performance.now() - started) / 1000);
  }

  async delete(labels: GroupLabels): Promise<void> {
    this.stats.deletes++;
    const old = this.index.get(groupingKey(labels));
    if (old) await this.commit(old, undefined, true);
  }

  async wipe(): Promise<number> {
    const all = [...this.index.all()];
    await this.removeGroups(all);
    return all.length;
  }

  /**
   * Removes every group whose TTL ran out by `now` (Unix ms); returns how many. While the storage is
   * broken expired groups stay, to go at the first sweep after it works again.
   */
  async expire(now: number): Promise<number> {
    if (!this.health.writable()) return 0;
    const due: Group[] = [];
    for (const g of this.index.all()) if (g.expiresAt > 0 && g.expiresAt <= now) due.push(g);
    if (due.length === 0) return 0;
    let removed;
    try {
      // Only groups unchanged since seen: on a shared store another agent may have expired or re-pushed one.
      removed = await this.removeGroups(due, true);
    } catch (e) {
      // A storage error is counted and logged already; the next sweep tries again.
      if (e instanceof PushRejected) return 0;
      throw e;
    }
    this.stats.expired += removed;
    return removed;
  }

  /** The earliest deadline among stored groups (Unix ms); 0 when none expires. */
  nextExpiry(): number {
    let first = 0;
    for (const g of this.index.all()) if (g.expiresAt > 0 && (first === 0 || g.expiresAt < first)) first = g.expiresAt;
    return first;
  }

  /**
   * Takes the groups out of memory at once and out of the storage (LMDB: in one transaction); if that
   * fails, puts back those no push has replaced since. Returns how many the storage removed: with
   * `ifUnchanged`, a shared store keeps those another agent changed, and its watch brings their news.
   */
  private async removeGroups(groups: readonly Group[], ifUnchanged = false): Promise<number> {
    for (const g of groups) this.index.replace(g, undefined);
    let removed;
    try {
      removed = await this.db.removeAll(
        groups.map((g) => g.key),
        ifUnchanged,
      );
    } catch (e) {
      for (const g of groups) if (!this.index.get(g.key)) this.index.replace(undefined, g);
      if (!(e instanceof StorageFailure)) throw e;
      throw this.health.failed(e);
    }
    this.health.succeeded();
    return removed;
  }

  /** The /metrics collection: `own` merged with every stored family. */
  collect(own: MetricSet): Collection {
    this.stats.addTo(own, { groups: this.index.size, series: this.index.series, storageBytes: this.db.sizeBytes() }, this.health.errors);
    if (this.db.resyncs !== undefined) {
      own.counter("agent_push_etcd_resyncs_total", "Times this agent lost its etcd watch and rebuilt its view from a fresh read.", this.db.resyncs);
    }
    this.learnOwnTypes(own);
    return this.index.collection(own);
  }

  list(now = Date.now()): GroupSummary[] {
    return summaries(this.index.all(), now);
  }

  /** Stored groups in path order, for the JSON API. */
  groupsSorted(): Group[] {
    return [...this.index.all()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get(labels: GroupLabels): Group | undefined {
    return this.index.get(groupingKey(labels));
  }

  /** One group's metrics in the text format, push times included; undefined if there is no such group. */
  groupText(labels: GroupLabels): string | undefined {
    const g = this.get(labels);
    return g && renderGroup(g);
  }
}
