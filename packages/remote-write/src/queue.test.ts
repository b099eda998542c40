import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DiskQueue, type Batch } from "./queue.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "rw-queue-"));
  dirs.push(d);
  return d;
}

function batch(n: number, size = 100): Batch {
  return { body: new Uint8Array(size).fill(n), samples: n, highestTimestampMs: n * 1000 };
}

describe("DiskQueue", () => {
  test("requests leave oldest first and survive a reopen", async () => {
    const d = dir();
    const q = await DiskQueue.open(d, 1 << 20);
    await q.append([batch(1), batch(2), batch(3)]);
    const first = q.oldest()!;
    expect([first.samples, first.highestTimestampMs, first.body[0]]).toEqual([1, 1000, 1]);
    q.remove(first.seq);
    expect(q.pendingSamples).toBe(5);
    await q.close();

    const again = await DiskQueue.open(d, 1 << 20);
    expect(again.length).toBe(2);
    expect(again.pendingSamples).toBe(5);
    expect(again.oldest()!.samples).toBe(2);
    // New requests go after the old ones.
    await again.append([batch(4)]);
    const order: number[] = [];
    for (let b = again.oldest(); b; b = again.oldest()) order.push(b.samples), again.remove(b.seq);
    expect(order).toEqual([2, 3, 4]);
    expect(again.bytes).toBe(0);
    await again.close();
  });

  test("past max_bytes the oldest are dropped and counted, never the one being sent", async () => {
    const q = await DiskQueue.open(dir(), 350);
    const dropped: number[] = [];
    q.onDrop = (n) => dropped.push(n);
    await q.append([batch(1), batch(2)]);
    const sending = q.oldest()!;
    await q.append([batch(3), batch(4)]);
    // 4 x 112 bytes > 350: one must go, and it is #2, since #1 is in flight.
    expect(dropped).toEqual([2]);
    expect(q.bytes).toBeLessThanOrEqual(350);
    q.remove(sending.seq);
    expect(q.oldest()!.samples).toBe(3);
    expect(q.pendingSamples).toBe(7);
    await q.close();
  });

  test("appends made while a write is under way share the next write, in order", async () => {
    const d = dir();
    const q = await DiskQueue.open(d, 1 << 20);
    const firstWrite = q.append([batch(1)]);
    // While #1 is being committed, #2 and #3 wait, and then go into one write together.
    const second = q.append([batch(2)]);
    const third = q.append([batch(3)]);
    expect(third).toBe(second);
    expect(q.pendingSamples).toBe(6);
    // Not sendable before they are committed.
    expect(q.length).toBe(0);
    await Promise.all([firstWrite, second]);
    expect(q.length).toBe(3);
    await q.close();
    const again = await DiskQueue.open(d, 1 << 20);
    const order: number[] = [];
    for (let b = again.oldest(); b; b = again.oldest()) order.push(b.samples), again.remove(b.seq);
    expect(order).toEqual([1, 2, 3]);
    await again.close();
  });

  test("removals are committed by close without being awaited", async () => {
    const d = dir();
    const q = await DiskQueue.open(d, 1 << 20);
    await q.append([batch(1), batch(2), batch(3)]);
    for (let i = 0; i < 2; i++) q.remove(q.oldest()!.seq);
    await q.close();
    const again = await DiskQueue.open(d, 1 << 20);
    expect(again.length).toBe(1);
    expect(again.oldest()!.samples).toBe(3);
    await again.close();
  });

  test("requests waiting for a write count against max_bytes, and the oldest of them go first", async () => {
    const q = await DiskQueue.open(dir(), 350);
    const dropped: number[] = [];
    q.onDrop = (n) => dropped.push(n);
    const writing = q.append([batch(1)]);
    // #1 is being written; #2, #3 and #4 wait: 4 x 112 bytes > 350, so #2, the oldest waiting, goes.
    const waiting = q.append([batch(2), batch(3), batch(4)]);
    expect(dropped).toEqual([2]);
    expect(q.bytes).toBeLessThanOrEqual(350);
    await Promise.all([writing, waiting]);
    const order: number[] = [];
    for (let b = q.oldest(); b; b = q.oldest()) order.push(b.samples), q.remove(b.seq);
    expect(order).toEqual([1, 3, 4]);
    await q.close();
  });
});
