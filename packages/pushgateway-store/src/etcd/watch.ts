/**
 * Keeps the view in step with etcd: a watch from the view's revision on, replaced after a fresh read when it
 * is lost, and a quorum read every PROBE_MS, since a watch on a member cut off from the quorum just stays
 * quiet. While the view may be stale (`lost`), the store refuses pushes.
 */
import type { Logger } from "@agent/core";
import { b64, prefixEnd, type EtcdClient, type WatchMessage } from "./client.ts";
import type { EtcdView } from "./view.ts";

const PROBE_MS = 1000;
/** A change the quorum had this long ago and the watch has not brought makes the watch stale. */
const STALE_MS = 3000;

export class EtcdWatch {
  /** Why the view may be stale; undefined while it is in step. */
  lost: string | undefined;
  private watching: AbortController | undefined;
  private probe: ReturnType<typeof setInterval> | undefined;
  /** A marker revision the quorum had at a probe, not yet seen through the watch, and when. */
  private behind: { rev: number; at: number } | undefined;
  private closed = false;

  /** `resync` reads the view afresh (behind any commit under way) and hands it to the follower. */
  constructor(
    private readonly client: EtcdClient,
    private readonly view: EtcdView,
    private readonly prefix: string,
    private readonly log: Logger,
    private readonly resync: () => Promise<void>,
  ) {}

  start(): void {
    void this.loop();
    this.probe = setInterval(() => void this.probeQuorum(), PROBE_MS);
    this.probe.unref();
  }

  stop(): void {
    this.closed = true;
    clearInterval(this.probe);
    this.watching?.abort();
  }

  /** Marks the view stale and drops the watch; the loop reads afresh and watches again. */
  lose(why: string): void {
    this.lost = why;
    this.log.warn("etcd view lost; pushes get 503 until it is read afresh", { err: why });
    this.watching?.abort();
  }

  private async loop(): Promise<void> {
    let fresh = true;
    while (!this.closed) {
      try {
        if (!fresh) await this.resync();
        fresh = false;
        await this.follow();
      } catch (e) {
        if (this.closed) return;
        if (!this.lost) this.lose(`etcd watch lost: ${(e as Error).message}`);
        this.client.next();
        await Bun.sleep(500);
      }
    }
  }

  /** Follows changes from the view's revision on until the stream ends or is cut; always throws (or returns once closed). */
  private async follow(): Promise<void> {
    const ctl = new AbortController();
    this.watching = ctl;
    const request = { key: b64(this.prefix), range_end: prefixEnd(this.prefix), start_revision: this.view.from };
    for await (const msg of this.client.watch(request, ctl.signal)) this.onMessage(msg);
    if (this.closed) return;
    throw new Error("etcd watch stream ended");
  }

  private onMessage(msg: WatchMessage): void {
    const r = msg.result;
    if (!r) throw new Error(`etcd watch: ${msg.error?.message ?? "no result"}`);
    if (r.canceled || Number(r.compact_revision ?? 0) > 0) {
      throw new Error(`etcd watch cancelled (${r.cancel_reason ?? `compacted at revision ${r.compact_revision}`})`);
    }
    if (r.created) {
      if (this.lost) {
        this.lost = undefined;
        this.log.info("etcd view in step again");
        this.view.follower!.reachable();
      }
      return;
    }
    this.view.applyEvents(r.events ?? []);
  }

  /** A linearizable read needs a quorum: if it fails, this agent cannot take pushes and its watch may be stale. */
  private async probeQuorum(): Promise<void> {
    let markerRev;
    try {
      const res = await this.client.call<{ kvs?: { mod_revision?: string }[] }>("/v3/kv/range", { key: b64(this.view.marker) });
      markerRev = Number(res.kvs?.[0]?.mod_revision ?? 0);
    } catch (e) {
      if (this.closed || this.lost) return;
      this.lose(`etcd out of reach: ${(e as Error).message}`);
      return;
    }
    if (this.lost) return;
    const now = Date.now();
    const seen = this.view.seen;
    if (this.behind && seen >= this.behind.rev) this.behind = undefined;
    if (!this.behind) {
      if (markerRev > seen) this.behind = { rev: markerRev, at: now };
    } else if (now - this.behind.at >= STALE_MS) {
      const rev = this.behind.rev;
      this.behind = undefined;
      this.lose(`etcd watch is stale: revision ${rev} has not come through it in ${STALE_MS} ms`);
    }
  }
}
