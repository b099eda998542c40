/**
 * The push store's groups in etcd, shared by every agent that names the same cluster and prefix. Talks to
 * etcd 3.4's JSON gateway (/v3/kv/*, /v3/watch) with fetch. One key per group (the record GroupDb stores,
 * as JSON) and one marker key that every change rewrites with the writing agent's id, so that:
 * - a push commits only if the marker is still at the revision this agent's view reflects (a transaction
 *   comparing it), hence was checked against every change before it, as one store would check it;
 *   otherwise it is refused as StaleView and checked again once the watch caught up;
 * - the watch tells this agent's own changes (already in its view) from other agents', by the marker's
 *   value in the same revision.
 * A write is acknowledged by etcd once a quorum has it. A lost watch is replaced after a fresh read.
 * Each agent also announces itself under <prefix>replicas/ on a short lease, for the push page.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "@agent/core";
import { PushRejected } from "./push-rejected.ts";
import { nonFiniteAsString } from "./family-record.ts";
import { dbKey, fromRecord, GROUP_PREFIX, Interner, toRecord, type GroupRecord } from "./group-db.ts";
import { StaleView, type GroupStorage, type StorageFollower } from "./group-storage.ts";
import type { Group } from "./group.ts";
import { StorageFailure } from "./storage-failure.ts";

export interface EtcdOptions {
  endpoints: readonly string[];
  prefix: string;
  caFile?: string;
  certFile?: string;
  keyFile?: string;
  log: Logger;
  /** How this agent names itself among the replicas (host and listen address); none: not announced. */
  self?: string;
}

interface KeyValue {
  key: string;
  value?: string;
  mod_revision?: string;
}
interface WatchEvent {
  type?: "PUT" | "DELETE";
  kv: KeyValue;
}
interface Header {
  revision?: string;
}

/** etcd's default --max-txn-ops is 128; one slot goes to the marker. */
const TXN_OPS = 100;
const REQUEST_TIMEOUT_MS = 5000;
/** How often reachability is probed by a quorum read (a watch on a cut-off member just stays quiet). */
const PROBE_MS = 1000;
const CATCH_UP_MS = 5000;
const STALE_MS = 3000;
/** A replica's announcement lives this long unless renewed, every ANNOUNCE_MS. */
const ANNOUNCE_TTL_S = 10;
const ANNOUNCE_MS = 3000;

/** A save waiting for its transaction, and the push waiting for it. */
interface PendingSave {
  group: Group;
  /** `othersChanges` when the push was checked. */
  basis: number;
  resolve: () => void;
  reject: (e: unknown) => void;
}

const b64 = (s: string) => Buffer.from(s).toString("base64");
const text = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString();

/** The first key after every key that starts with `prefix`, as etcd's range_end wants it. */
function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  bytes[bytes.length - 1]!++;
  return bytes.toString("base64");
}

export class EtcdGroupStore implements GroupStorage {
  readonly kind = "etcd";
  /** Written into the marker with every change this agent makes. */
  private readonly id = crypto.randomUUID();
  private readonly marker: string;
  private readonly replicaPrefix: string;
  /** etcd key -> name of each agent announced under replicaPrefix. */
  private readonly announced = new Map<string, string>();
  private announcer: ReturnType<typeof setInterval> | undefined;
  private readonly tls: { ca?: string; cert?: string; key?: string } | undefined;
  private endpoint = 0;
  /** The marker's revision that this agent's view reflects; pushes commit only on it. */
  private seen = 0;
  /** After a StaleView, the marker revision the view must reach. */
  private target = 0;
  private waiters: Array<() => void> = [];
  /** Revision the watch starts from: one after the last read. */
  private from = 0;
  /** Group key -> revision of its last change, for expiry that removes only what it saw. */
  private readonly revisions = new Map<string, number>();
  /** etcd key -> group key: delete events carry only the etcd key. */
  private readonly groupKeys = new Map<string, string>();
  /**
   * Counts changes to the view that are not this agent's own commits (another agent's, through the watch;
   * a fresh read). A save checked before one of them must be checked again: its commit would otherwise
   * compare against a marker that includes a change its push was never checked against, and the watch,
   * taking the commit for this agent's own, would never bring its group into the view.
   */
  private othersChanges = 0;
  /** Saves waiting for the next transaction. */
  private readonly pending: PendingSave[] = [];
  /** Changes leave one at a time: each compares against the marker the previous one left. */
  private queue: Promise<unknown> = Promise.resolve();
  private follower: StorageFollower | undefined;
  private watching: AbortController | undefined;
  private probe: ReturnType<typeof setInterval> | undefined;
  private lost: string | undefined;
  /** A marker revision the quorum had at a probe, not yet seen through the watch, and when. */
  private behind: { rev: number; at: number } | undefined;
  private closed = false;
  /** Fresh reads after a lost watch, for agent_push_etcd_resyncs_total. */
  resyncs = 0;

  constructor(private readonly opts: EtcdOptions) {
    if (opts.endpoints.length === 0) throw new Error("--push.etcd.endpoints names no endpoint");
    this.marker = `${opts.prefix}marker`;
    this.replicaPrefix = `${opts.prefix}replicas/`;
    const read = (f: string | undefined) => (f ? readFileSync(f, "utf8") : undefined);
    this.tls = opts.caFile || opts.certFile ? { ca: read(opts.caFile), cert: read(opts.certFile), key: read(opts.keyFile) } : undefined;
  }

  get location(): string {
    return `${this.opts.endpoints.join(",")} under ${this.opts.prefix}`;
  }

  /**
   * POSTs to the first endpoint that answers, starting with the last one that did. A network error or a
   * 5xx moves on to the next; when none answers, a StorageFailure.
   */
  private async call<T>(path: string, body: unknown): Promise<T & { header?: Header }> {
    const { endpoints } = this.opts;
    let why = "";
    for (let i = 0; i < endpoints.length; i++) {
      const url = endpoints[this.endpoint]! + path;
      try {
        const res = await fetch(url, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), tls: this.tls });
        if (res.ok) return (await res.json()) as T & { header?: Header };
        why = `${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
        // etcd's own limits on a request (--max-request-bytes, its gRPC message limit) refuse this change only.
        if (/too large|larger than max/.test(why)) {
          throw new PushRejected(`etcd refused the change as too large (${why}); a group must fit etcd's --max-request-bytes`, "too_large_for_etcd", 413, false);
        }
        if (res.status < 500) throw new StorageFailure("other", `etcd refused ${path}: ${why}`);
      } catch (e) {
        if (e instanceof StorageFailure || e instanceof PushRejected) throw e;
        why = `${url}: ${(e as Error).message}`;
      }
      this.endpoint = (this.endpoint + 1) % endpoints.length;
    }
    throw new StorageFailure("unreachable", `no etcd endpoint answers (${why})`);
  }

  /** Every group under the prefix, and the marker's revision; the watch then starts after this read. */
  async loadAll(): Promise<Group[]> {
    const res = await this.call<{ kvs?: KeyValue[] }>("/v3/kv/range", { key: b64(this.opts.prefix), range_end: prefixEnd(this.opts.prefix) });
    this.revisions.clear();
    this.groupKeys.clear();
    this.announced.clear();
    this.seen = 0;
    const intern = new Interner();
    const groups: Group[] = [];
    for (const kv of res.kvs ?? []) {
      const key = text(kv.key);
      const rev = Number(kv.mod_revision);
      if (key === this.marker) this.seen = rev;
      else if (key.startsWith(this.replicaPrefix)) this.announced.set(key, text(kv.value));
      else if (this.isGroup(key)) {
        const g = fromRecord(JSON.parse(text(kv.value)) as GroupRecord, intern);
        this.revisions.set(g.key, rev);
        this.groupKeys.set(key, g.key);
        groups.push(g);
      }
    }
    this.from = Number(res.header?.revision ?? 0) + 1;
    return groups;
  }

  /**
   * A transaction that no endpoint answered may still have committed; the watch would skip it as this
   * agent's own while the caller undoes it in the view, so the view is read afresh (as after a lost watch).
   */
  private async txn<T>(body: unknown): Promise<T & { header?: Header }> {
    try {
      return await this.call<T>("/v3/kv/txn", body);
    } catch (e) {
      if (e instanceof StorageFailure && e.fault === "unreachable" && !this.lost && !this.closed) {
        this.lose(`etcd did not answer a commit: ${e.message}`);
        this.watching?.abort();
      }
      throw e;
    }
  }

  /** Keys under the prefix that are not groups (the marker, a later format's) are left alone. */
  private isGroup(key: string): boolean {
    return key.startsWith(this.opts.prefix + GROUP_PREFIX);
  }

  private enqueue<T>(f: () => Promise<T>): Promise<T> {
    const run = this.queue.then(f, f);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private check(): void {
    if (this.lost) throw new StorageFailure("unreachable", this.lost);
  }

  private markerPut() {
    return { request_put: { key: b64(this.marker), value: b64(this.id) } };
  }

  /**
   * Saves issued while a transaction is under way go together in the next one (group commit), the last
   * save of a group winning (etcd refuses a key twice in one transaction).
   */
  save(g: Group): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ group: g, basis: this.othersChanges, resolve, reject });
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
      if (batch.some((p) => p.basis !== this.othersChanges)) {
        this.target = this.seen;
        throw new StaleView();
      }
      const puts = [...last.values()].map((g) => ({ request_put: { key: b64(this.opts.prefix + dbKey(g.key)), value: b64(JSON.stringify(toRecord(g), nonFiniteAsString)) } }));
      const res = await this.txn<{ succeeded?: boolean; responses?: Array<{ response_range?: { kvs?: KeyValue[] } }> }>({
        compare: [{ key: b64(this.marker), target: "MOD", result: "EQUAL", mod_revision: this.seen }],
        success: [this.markerPut(), ...puts],
        failure: [{ request_range: { key: b64(this.marker) } }],
      });
      if (!res.succeeded) {
        this.target = Number(res.responses?.[0]?.response_range?.kvs?.[0]?.mod_revision ?? 0);
        throw new StaleView();
      }
      const rev = Number(res.header?.revision);
      this.seen = Math.max(this.seen, rev);
      for (const g of last.values()) {
        this.revisions.set(g.key, rev);
        this.groupKeys.set(this.opts.prefix + dbKey(g.key), g.key);
      }
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
    const seenAt = groupKeys.map((k) => this.revisions.get(k));
    const basis = this.othersChanges;
    return this.enqueue(async () => {
      this.check();
      let removed = 0;
      const chunk = ifUnchanged ? 1 : TXN_OPS;
      for (let i = 0; i < groupKeys.length; i += chunk) {
        const keys = groupKeys.slice(i, i + chunk);
        if (ifUnchanged && seenAt[i] === undefined) continue;
        const deletes = [this.markerPut(), ...keys.map((k) => ({ request_delete_range: { key: b64(this.opts.prefix + dbKey(k)) } }))];
        const compare = ifUnchanged
          ? [{ key: b64(this.opts.prefix + dbKey(keys[0]!)), target: "MOD", result: "EQUAL", mod_revision: seenAt[i] }]
          : [{ key: b64(this.marker), target: "MOD", result: "EQUAL", mod_revision: this.seen }];
        const res = await this.txn<{ succeeded?: boolean; responses?: Array<{ response_delete_range?: { deleted?: string } }> }>({
          compare,
          success: deletes,
          failure: ifUnchanged ? [] : deletes,
        });
        if (res.succeeded && !ifUnchanged) this.seen = Math.max(this.seen, Number(res.header?.revision));
        if (res.succeeded || !ifUnchanged) {
          for (const r of res.responses ?? []) removed += Number(r.response_delete_range?.deleted ?? 0);
          const rev = Number(res.header?.revision);
          for (const k of keys) {
            // Another agent's change that the watch brought after this removal took the group out of the view,
            // but that etcd ordered before the removal, is gone too; the watch skips the removal as this
            // agent's own, so it is taken out here (and saves checked with it in the view are checked again).
            if (basis !== this.othersChanges && (this.revisions.get(k) ?? rev) < rev) {
              this.othersChanges++;
              this.follower?.apply(k, undefined);
            }
            this.revisions.delete(k);
          }
        }
      }
      return removed;
    });
  }

  sizeBytes(): number {
    return 0;
  }

  /** The agents that announced themselves on this prefix within the last ANNOUNCE_TTL_S, sorted. */
  replicas(): string[] {
    return [...this.announced.values()].sort();
  }

  /** Puts this agent's name on a fresh lease; the previous lease runs out on its own. */
  private async announce(): Promise<void> {
    try {
      const lease = await this.call<{ ID?: string }>("/v3/lease/grant", { TTL: ANNOUNCE_TTL_S });
      await this.call("/v3/kv/put", { key: b64(this.replicaPrefix + this.id), value: b64(this.opts.self!), lease: lease.ID });
    } catch {
      // Out of reach: the probe says so; the next round tries again.
    }
  }

  freeBytes(): undefined {
    return undefined;
  }

  unready(): string | undefined {
    return this.lost;
  }

  follow(f: StorageFollower): void {
    this.follower = f;
    void this.watchLoop();
    this.probe = setInterval(() => void this.probeQuorum(), PROBE_MS);
    this.probe.unref();
    if (this.opts.self !== undefined) {
      void this.announce();
      this.announcer = setInterval(() => void this.announce(), ANNOUNCE_MS);
      this.announcer.unref();
    }
  }

  /** A linearizable read needs a quorum: if it fails, this agent cannot take pushes and its watch may be stale. */
  private async probeQuorum(): Promise<void> {
    let markerRev;
    try {
      const res = await this.call<{ kvs?: KeyValue[] }>("/v3/kv/range", { key: b64(this.marker) });
      markerRev = Number(res.kvs?.[0]?.mod_revision ?? 0);
    } catch (e) {
      if (this.closed || this.lost) return;
      this.lose(`etcd out of reach: ${(e as Error).message}`);
      this.watching?.abort();
      return;
    }
    if (this.lost) return;
    // A watch on a member cut off from the quorum stays open and quiet: it is stale when a change the
    // quorum had STALE_MS ago has still not come through it.
    const now = Date.now();
    if (this.behind && this.seen >= this.behind.rev) this.behind = undefined;
    if (!this.behind) {
      if (markerRev > this.seen) this.behind = { rev: markerRev, at: now };
    } else if (now - this.behind.at >= STALE_MS) {
      this.lose(`etcd watch is stale: revision ${this.behind.rev} has not come through it in ${STALE_MS} ms`);
      this.behind = undefined;
      this.watching?.abort();
    }
  }

  private lose(why: string): void {
    this.lost = why;
    this.opts.log.warn("etcd view lost; pushes get 503 until it is read afresh", { err: why });
  }

  private async watchLoop(): Promise<void> {
    let fresh = true;
    while (!this.closed) {
      try {
        if (!fresh) {
          // Behind any commit under way: a read taken while one is in flight could miss it, and the watch,
          // starting after the read, would skip it as this agent's own and leave the older value served.
          await this.enqueue(async () => {
            const groups = await this.loadAll();
            this.resyncs++;
            this.othersChanges++;
            this.follower!.reset(groups);
            this.opts.log.warn("etcd view resynchronised from a fresh read", { groups: groups.length, revision: this.from - 1 });
          });
        }
        fresh = false;
        await this.watch();
      } catch (e) {
        if (this.closed) return;
        if (!this.lost) this.lose(`etcd watch lost: ${(e as Error).message}`);
        this.endpoint = (this.endpoint + 1) % this.opts.endpoints.length;
        await Bun.sleep(500);
      }
    }
  }

  /** Follows changes from `from` on until the stream ends or is cut; always throws (or returns once closed). */
  private async watch(): Promise<void> {
    const ctl = new AbortController();
    this.watching = ctl;
    const res = await fetch(this.opts.endpoints[this.endpoint] + "/v3/watch", {
      method: "POST",
      body: JSON.stringify({ create_request: { key: b64(this.opts.prefix), range_end: prefixEnd(this.opts.prefix), start_revision: this.from } }),
      signal: ctl.signal,
      tls: this.tls,
      // A quiet watch is a healthy one (Bun would cut it after 5 idle minutes); the probe finds dead ones.
      timeout: false,
    });
    if (!res.ok || !res.body) throw new Error(`etcd watch: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) this.onWatch(JSON.parse(line) as { result?: { created?: boolean; canceled?: boolean; compact_revision?: string; cancel_reason?: string; events?: WatchEvent[] }; error?: { message?: string } });
      }
    }
    if (this.closed) return;
    throw new Error("etcd watch stream ended");
  }

  private onWatch(msg: { result?: { created?: boolean; canceled?: boolean; compact_revision?: string; cancel_reason?: string; events?: WatchEvent[] }; error?: { message?: string } }): void {
    const r = msg.result;
    if (!r) throw new Error(`etcd watch: ${msg.error?.message ?? "no result"}`);
    if (r.canceled || Number(r.compact_revision ?? 0) > 0) {
      throw new Error(`etcd watch cancelled (${r.cancel_reason ?? `compacted at revision ${r.compact_revision}`})`);
    }
    if (r.created) {
      if (this.lost) {
        this.lost = undefined;
        this.opts.log.info("etcd view in step again");
        this.follower!.reachable();
      }
      return;
    }
    // Events come in revision order, each revision's events together in one message.
    const events = r.events ?? [];
    for (let i = 0; i < events.length; ) {
      const rev = Number(events[i]!.kv.mod_revision);
      let j = i;
      while (j < events.length && Number(events[j]!.kv.mod_revision) === rev) j++;
      this.applyRevision(events.slice(i, j), rev);
      i = j;
    }
  }

  private applyRevision(events: WatchEvent[], rev: number): void {
    const markerEvent = events.find((e) => text(e.kv.key) === this.marker);
    const own = markerEvent !== undefined && text(markerEvent.kv.value) === this.id;
    const intern = new Interner();
    if (!own && events.some((e) => this.isGroup(text(e.kv.key)))) this.othersChanges++;
    for (const e of events) {
      const key = text(e.kv.key);
      if (key.startsWith(this.replicaPrefix)) {
        if (e.type === "DELETE") this.announced.delete(key);
        else this.announced.set(key, text(e.kv.value));
      }
      if (!this.isGroup(key)) continue;
      if (e.type === "DELETE") {
        const groupKey = this.groupKeys.get(key);
        if (groupKey === undefined) continue;
        this.groupKeys.delete(key);
        // This agent's own removal may come through before etcd's answer to it, which needs the revision
        // of what the view holds (see removeAll).
        if (own) continue;
        this.revisions.delete(groupKey);
        this.follower!.apply(groupKey, undefined);
      } else {
        const g = fromRecord(JSON.parse(text(e.kv.value)) as GroupRecord, intern);
        this.groupKeys.set(key, g.key);
        this.revisions.set(g.key, rev);
        if (!own) this.follower!.apply(g.key, g);
      }
    }
    this.from = rev + 1;
    if (markerEvent) {
      this.seen = Math.max(this.seen, rev);
      if (this.seen >= this.target) for (const w of this.waiters.splice(0)) w();
    }
  }

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

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.probe);
    clearInterval(this.announcer);
    this.watching?.abort();
    await this.queue;
    // Leave the replica list at once rather than when the lease runs out.
    if (this.announcer) await this.call("/v3/kv/deleterange", { key: b64(this.replicaPrefix + this.id) }).catch(() => undefined);
  }
}
