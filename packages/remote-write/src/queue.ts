/**
 * The durable queue of one receiver: compressed requests waiting to be accepted, in LMDB under
 * `<storage.path>/remote-write/<name>`, keyed by a sequence number so they leave in the order they came.
 * An append resolves once its transaction is committed, so a `kill -9` after it loses nothing. Appends made
 * while a write is under way wait in memory and then share one transaction (a group commit): a disk whose
 * sync takes longer than a collection interval delays collections, never makes them pile up one sync each.
 * Past `maxBytes` (those waiting included) the oldest requests are dropped (never the one being sent) and
 * reported through `onDrop`.
 */
import { mkdirSync } from "node:fs";
import type { RootDatabase } from "lmdb";
import { importLmdb } from "@agent/pushgateway-store";

export interface Batch {
  /** The snappy-compressed WriteRequest. */
  body: Uint8Array;
  samples: number;
  /** Newest sample timestamp in the batch, milliseconds. */
  highestTimestampMs: number;
}

export interface QueuedBatch extends Batch {
  seq: number;
}

/** Per stored request: [samples u32][highest timestamp f64][body]. */
const HEADER = 12;

interface Entry {
  seq: number;
  bytes: number;
  samples: number;
}

export class DiskQueue {
  /** Oldest first, committed ones only; `head` is the index of the oldest still queued. */
  private entries: Entry[] = [];
  private head = 0;
  private nextSeq: number;
  private inFlight = -1;
  /** Batches appended while a write was under way, oldest first; the next write takes them all. */
  private waiting: Batch[] = [];
  /** The newest write; `busy` while it is under way. */
  private writing: Promise<void> = Promise.resolve();
  private busy = false;
  /** The write the waiting batches go into, once the one under way is done. */
  private nextWrite: Promise<void> | undefined;
  /** The newest removal; LMDB commits in order, so once it settles every earlier one has. */
  private lastRemoval: Promise<unknown> = Promise.resolve();
  /** Of every request queued or waiting to be written. */
  bytes = 0;
  pendingSamples = 0;
  /** Called with the samples of requests dropped to stay under maxBytes. */
  onDrop: (samples: number) => void = () => {};
  /** Called when a removal fails to commit: that request comes back, and is sent again, after a restart. */
  onRemoveError: (err: Error) => void = () => {};

  private constructor(
    private readonly db: RootDatabase<Buffer, number>,
    private readonly maxBytes: number,
  ) {
    for (const { key, value } of db.getRange({})) {
      this.entries.push({ seq: key, bytes: value.length, samples: value.readUInt32LE(0) });
      this.bytes += value.length;
      this.pendingSamples += value.readUInt32LE(0);
    }
    this.nextSeq = this.entries.length > 0 ? this.entries[this.entries.length - 1]!.seq + 1 : 1;
  }

  static async open(dir: string, maxBytes: number): Promise<DiskQueue> {
    mkdirSync(dir, { recursive: true });
    const { open } = await importLmdb();
    const db = open<Buffer, number>({ path: `${dir}/queue.mdb`, encoding: "binary", cache: false });
    return new DiskQueue(db, maxBytes);
  }

  /** Committed requests not yet sent. */
  get length(): number {
    return this.entries.length - this.head;
  }

  /**
   * Queues the batches; resolves once they are committed, together with any appended while the write before
   * them was under way. Rejects when that write fails.
   */
  append(batches: readonly Batch[]): Promise<void> {
    if (batches.length === 0) return Promise.resolve();
    for (const b of batches) {
      this.waiting.push(b);
      this.bytes += HEADER + b.body.length;
      this.pendingSamples += b.samples;
    }
    this.trim();
    if (this.nextWrite !== undefined) return this.nextWrite;
    if (!this.busy) return (this.writing = this.startWrite());
    // After the write under way, whether or not it failed: its failure is its own appends' to report.
    this.nextWrite = this.writing
      .catch(() => undefined)
      .then(() => {
        this.nextWrite = undefined;
        return this.startWrite();
      });
    this.writing = this.nextWrite;
    return this.nextWrite;
  }

  /** Writes every waiting batch. */
  private startWrite(): Promise<void> {
    const batches = this.waiting;
    this.waiting = [];
    this.busy = true;
    return this.write(batches).finally(() => (this.busy = false));
  }

  /** Stores the batches in one transaction (lmdb-js commits the writes of one event turn together). */
  private async write(batches: readonly Batch[]): Promise<void> {
    const written: Entry[] = [];
    const puts: Promise<boolean>[] = [];
    for (const b of batches) {
      const value = Buffer.allocUnsafe(HEADER + b.body.length);
      value.writeUInt32LE(b.samples, 0);
      value.writeDoubleLE(b.highestTimestampMs, 4);
      value.set(b.body, HEADER);
      const seq = this.nextSeq++;
      puts.push(this.db.put(seq, value));
      written.push({ seq, bytes: value.length, samples: b.samples });
    }
    try {
      await Promise.all(puts);
    } catch (e) {
      for (const w of written) {
        this.bytes -= w.bytes;
        this.pendingSamples -= w.samples;
      }
      throw e;
    }
    for (const w of written) this.entries.push(w);
    // A trim while these were being written could only count them; now they can go if still over.
    this.trim();
  }

  /** Drops the oldest requests past maxBytes: committed ones first (not the one being sent), then waiting ones. */
  private trim(): void {
    if (this.bytes <= this.maxBytes) return;
    let start = this.head;
    if (this.entries[start]?.seq === this.inFlight) start++;
    let end = start;
    let dropped = 0;
    while (this.bytes > this.maxBytes && end < this.entries.length) {
      const e = this.entries[end++]!;
      this.bytes -= e.bytes;
      this.pendingSamples -= e.samples;
      dropped += e.samples;
      this.removeStored(e.seq);
    }
    this.entries.splice(start, end - start);
    let gone = 0;
    while (this.bytes > this.maxBytes && gone < this.waiting.length) {
      const b = this.waiting[gone++]!;
      this.bytes -= HEADER + b.body.length;
      this.pendingSamples -= b.samples;
      dropped += b.samples;
    }
    this.waiting.splice(0, gone);
    if (dropped > 0) this.onDrop(dropped);
  }
  /** The oldest request, marked as being sent so a trim leaves it alone. */
  oldest(): QueuedBatch | undefined {
    if (this.head >= this.entries.length) return undefined;
    const seq = this.entries[this.head]!.seq;
    const value = this.db.getBinary(seq);
    if (!value) throw new Error(`remote-write queue: request ${seq} is missing from the database`);
    this.inFlight = seq;
    return {
      seq,
      samples: value.readUInt32LE(0),
      highestTimestampMs: value.readDoubleLE(4),
      body: value.subarray(HEADER),
    };
  }

  /** Removes a request from the database without waiting for the commit; a failure goes to onRemoveError. */
  private removeStored(seq: number): void {
    this.lastRemoval = this.db.remove(seq).catch((e: Error) => this.onRemoveError(e));
  }

  /**
   * Removes the request `oldest()` returned, once it is accepted or given up on. It is gone from the queue at
   * once and its removal is committed in the background, with the next ones: a removal lost to a crash only
   * means the request is sent again after the restart, so sending need not wait a disk sync per request.
   */
  remove(seq: number): void {
    const e = this.entries[this.head];
    if (e?.seq !== seq) return;
    this.head++;
    this.inFlight = -1;
    this.bytes -= e.bytes;
    this.pendingSamples -= e.samples;
    // Compacting now and then keeps the array from growing with every request ever sent.
    if (this.head > 1024 && this.head * 2 > this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
    this.removeStored(seq);
  }

  /** Closes the database once the writes and removals under way are committed. */
  async close(): Promise<void> {
    await Promise.allSettled([this.writing, this.lastRemoval]);
    await this.db.close();
  }
}
