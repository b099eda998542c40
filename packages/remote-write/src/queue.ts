/**
 * The durable queue of one receiver: compressed requests waiting to be accepted, in LMDB under
 * `<storage.path>/remote-write/<name>`, keyed by a sequence number so they leave in the order they came.
 * An append resolves once its transaction is committed, so a `kill -9` after it loses nothing. Past
 * `maxBytes` the oldest requests are dropped (never the one being sent) and reported through `onDrop`.
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
  /** Oldest first; `head` is the index of the oldest still queued. */
  private entries: Entry[] = [];
  private head = 0;
  private nextSeq: number;
  private inFlight = -1;
  bytes = 0;
  pendingSamples = 0;
  /** Called with the samples of requests dropped to stay under maxBytes. */
  onDrop: (samples: number) => void = () => {};

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

  get length(): number {
    return this.entries.length - this.head;
  }

  /** Stores the batches in one transaction, then trims the oldest past maxBytes. */
  async append(batches: readonly Batch[]): Promise<void> {
    if (batches.length === 0) return;
    const writes: Promise<boolean>[] = [];
    for (const b of batches) {
      const value = Buffer.allocUnsafe(HEADER + b.body.length);
      value.writeUInt32LE(b.samples, 0);
      value.writeDoubleLE(b.highestTimestampMs, 4);
      value.set(b.body, HEADER);
      const seq = this.nextSeq++;
      writes.push(this.db.put(seq, value));
      this.entries.push({ seq, bytes: value.length, samples: b.samples });
      this.bytes += value.length;
      this.pendingSamples += b.samples;
    }
    await Promise.all(writes);
    await this.trim();
  }

  private async trim(): Promise<void> {
    if (this.bytes <= this.maxBytes) return;
    let start = this.head;
    if (this.entries[start]?.seq === this.inFlight) start++;
    let end = start;
    let dropped = 0;
    const removals: Promise<boolean>[] = [];
    while (this.bytes > this.maxBytes && end < this.entries.length) {
      const e = this.entries[end++]!;
      this.bytes -= e.bytes;
      this.pendingSamples -= e.samples;
      dropped += e.samples;
      removals.push(this.db.remove(e.seq));
    }
    this.entries.splice(start, end - start);
    if (dropped > 0) this.onDrop(dropped);
    await Promise.all(removals);
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

  /** Removes the request `oldest()` returned, once it is accepted or given up on. */
  async remove(seq: number): Promise<void> {
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
    await this.db.remove(seq);
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
