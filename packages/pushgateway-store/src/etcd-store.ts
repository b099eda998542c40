/**
 * The push store's groups in etcd, shared by every agent that names the same cluster and prefix. One key per
 * group (the record GroupDb stores, as JSON) and one marker key that every change rewrites with the writing
 * agent's id (etcd/view.ts), so that a push commits only if the marker is still at the revision this agent's
 * view reflects (a transaction comparing it), hence was checked against every change before it, as one store
 * would check it; otherwise it is refused as StaleView and checked again once the watch caught up.
 * A write is acknowledged by etcd once a quorum has it. The parts: etcd/client.ts (the JSON gateway),
 * etcd/view.ts (what this agent has seen), etcd/watch.ts (keeping it in step), etcd/replicas.ts (who shares
 * the prefix); this file commits and removes.
 */
import type { Logger } from "@agent/core";
import { PushRejected } from "./push-rejected.ts";
import { nonFiniteAsString } from "./family-record.ts";
import { toRecord } from "./group-db.ts";
import { StaleView, type GroupStorage, type StorageFollower } from "./group-storage.ts";
import type { Group } from "./group.ts";
import { StorageFailure } from "./storage-failure.ts";
import { b64, EtcdClient, prefixEnd, type EtcdEndpoints, type Header, type KeyValue } from "./etcd/client.ts";
import { Replicas } from "./etcd/replicas.ts";
import { EtcdView } from "./etcd/view.ts";
import { EtcdWatch } from "./etcd/watch.ts";

export interface EtcdOptions extends EtcdEndpoints {
  prefix: string;
  log: Logger;
  /** How this agent names itself among the replicas (host and listen address); none: not announced. */
  self?: string;
}

/** etcd's default --max-txn-ops is 128; one slot goes to the marker. */
const TXN_OPS = 100;

/** A save waiting for its transaction, and the push waiting for it. */
interface PendingSave {
  group: Group;
  /** The view's `othersChanges` when the push was checked. */
  basis: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class EtcdGroupStore implements GroupStorage {
  readonly kind = "etcd";
  /** Written into the marker with every change this agent makes. */
  private readonly id = crypto.randomUUID();
  private readonly client: EtcdClient;
  private readonly announced: Replicas;
  private readonly view: EtcdView;
  private readonly watch: EtcdWatch;
  /** Saves waiting for the next transaction. */
  private readonly pending: PendingSave[] = [];
  /** Changes leave one at a time: each compares against the marker the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Fresh reads after a lost watch, for agent_push_etcd_resyncs_total. */
  resyncs = 0;

  constructor(private readonly opts: EtcdOptions) {
    this.client = new EtcdClient(opts);
    this.announced = new Replicas(this.client, opts.prefix, this.id, opts.self);
    this.view = new EtcdView(opts.prefix, this.id, this.announced);
    this.watch = new EtcdWatch(this.client, this.view, opts.prefix, opts.log, () => this.resync());
  }

  get location(): string {
    return `${this.opts.endpoints.join(",")} under ${this.opts.prefix}`;
  }

  /** Every group under the prefix, and the marker's revision; the watch then starts after this read. */
  async loadAll(): Promise<Group[]> {
    const res = await this.client.call<{ kvs?: KeyValue[] }>("/v3/kv/range", { key: b64(this.opts.prefix), range_end: prefixEnd(this.opts.prefix) });
    return this.view.load(res.kvs ?? [], Number(res.header?.revision ?? 0));
  }

  /**
   * After a lost watch, behind any commit under way: a read taken while one is in flight could miss it, and
   * the watch, starting after the read, would skip it as this agent's own and leave the older value served.
   */
  private resync(): Promise<void> {
    return this.enqueue(async () => {
      const groups = await this.loadAll();
      this.resyncs++;
      this.view.othersChanges++;
      this.view.follower!.reset(groups);
      this.opts.log.warn("etcd view resynchronised from a fresh read", { groups: groups.length, revision: this.view.from - 1 });
    });
  }

  /**
   * A transaction that no endpoint answered may still have committed; the watch would skip it as this
   * agent's own while the caller undoes it in the view, so the view is read afresh (as after a lost watch).
   */
  private async txn<T>(body: unknown): Promise<T & { header?: Header }> {
    try {
      return await this.client.call<T>("/v3/kv/txn", body);
    } catch (e) {
      if (e instanceof StorageFailure && e.fault === "unreachable" && !this.watch.lost && !this.closed) {
        this.watch.lose(`etcd did not answer a commit: ${e.message}`);
      }
      throw e;
    }
  }

  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private check(): void {
    if (this.watch.lost) throw new StorageFailure("unreachable", this.watch.lost);
  }

  private markerPut() {
    return { request_put: { key: b64(this.view.marker), value: b64(this.id) } };
  }

  /** The transaction's comparison that the marker is where this agent last saw it. */
  private markerUnchanged() {
    return { key: b64(this.view.marker), target: "MOD", result: "EQUAL", mod_revision: this.view.seen };
  }

  /**
   * Saves issued while a transaction is under way go together in the next one (group commit), the last
   * save of a group winning (etcd refuses a key twice in one transaction).
   */
  save(g: Group): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ group: g, basis: this.view.othersChanges, resolve, reject });
      if (this.pending.length === 1) void this.enqueue(() => this.commitPending()).catch(() => undefined);
    });
  }

  private async commitPending(): Promise<void> {
    const batch = this.pending.splice(0, TXN_OPS);
    if (batch.length === 0) return;
    if (this.pending.length > 0) void this.enqueue(() => this.commitPending()).catch(() => undefined);
    await this.commitBatch(batch);
  }

  private async commitBatch(batch: PendingSave[]): Promise<void> {
    const last = new Map<string, Group>();
    for (const p of batch) last.set(p.group.key, p.group);
    try {
      this.check();
      if (batch.some((p) => p.basis !== this.view.othersChanges)) {
        this.view.target = this.view.seen;
        throw new StaleView();
      }
      const puts = [...last.values()].map((g) => ({ request_put: { key: b64(this.view.etcdKey(g.key)), value: b64(JSON.stringify(toRecord(g), nonFiniteAsString)) } }));
      const res = await this.txn<{ succeeded?: boolean; responses?: Array<{ response_range?: { kvs?: KeyValue[] } }> }>({
        compare: [this.markerUnchanged()],
        success: [this.markerPut(), ...puts],
        failure: [{ request_range: { key: b64(this.view.marker) } }],
      });
      if (!res.succeeded) {
        this.view.target = Number(res.responses?.[0]?.response_range?.kvs?.[0]?.mod_revision ?? 0);
        throw new StaleView();
      }
      this.view.committed(last.values(), Number(res.header?.revision));
      for (const p of batch) p.resolve();
    } catch (e) {
      // Too big together: each alone, so that only a group too big by itself is refused.
      if (e instanceof PushRejected && batch.length > 1) {
        for (const p of batch) await this.commitBatch([p]);
        return;
      }
      // Latest first: each push then undoes its change back to the one before it, which undoes its own.
      for (const p of batch.reverse()) p.reject(e);
    }
  }

  async remove(groupKey: string): Promise<void> {
    await this.removeAll([groupKey]);
  }

  /**
   * Removes the groups, TXN_OPS to a transaction; returns how many etcd deleted. A removal that finds the
   * marker where this agent last saw it moves that mark on, as a push does; one that does not leaves it to
   * the watch. With `ifUnchanged`, one transaction per group, on the revision this agent saw it at (taken
   * now: by the time the transaction goes, the watch may have seen another agent remove it).
   */
  removeAll(groupKeys: readonly string[], ifUnchanged = false): Promise<number> {
    const seenAt = groupKeys.map((k) => this.view.revisionOf(k));
    const basis = this.view.othersChanges;
    return this.enqueue(async () => {
      this.check();
      let removed = 0;
      const chunk = ifUnchanged ? 1 : TXN_OPS;
      for (let i = 0; i < groupKeys.length; i += chunk) {
        const keys = groupKeys.slice(i, i + chunk);
        if (ifUnchanged && seenAt[i] === undefined) continue;
        const deletes = [this.markerPut(), ...keys.map((k) => ({ request_delete_range: { key: b64(this.view.etcdKey(k)) } }))];
        const compare = ifUnchanged
          ? [{ key: b64(this.view.etcdKey(keys[0]!)), target: "MOD", result: "EQUAL", mod_revision: seenAt[i] }]
          : [this.markerUnchanged()];
        const res = await this.txn<{ succeeded?: boolean; responses?: Array<{ response_delete_range?: { deleted?: string } }> }>({
          compare,
          success: deletes,
          failure: ifUnchanged ? [] : deletes,
        });
        if (res.succeeded && !ifUnchanged) this.view.seen = Math.max(this.view.seen, Number(res.header?.revision));
        if (res.succeeded || !ifUnchanged) {
          for (const r of res.responses ?? []) removed += Number(r.response_delete_range?.deleted ?? 0);
          this.view.removed(keys, Number(res.header?.revision), basis);
        }
      }
      return removed;
    });
  }

  sizeBytes(): number {
    return 0;
  }

  replicas(): string[] {
    return this.announced.list();
  }

  freeBytes(): undefined {
    return undefined;
  }

  unready(): string | undefined {
    return this.watch.lost;
  }

  follow(f: StorageFollower): void {
    this.view.follower = f;
    this.watch.start();
    this.announced.start();
  }

  catchUp(): Promise<void> {
    return this.view.catchUp();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watch.stop();
    this.announced.stop();
    await this.queue;
    await this.announced.leave();
  }
}
