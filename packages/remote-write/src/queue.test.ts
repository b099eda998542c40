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
    await q.remove(first.seq);
    expect(q.pendingSamples).toBe(5);
    await q.close();

    const again = await DiskQueue.open(d, 1 << 20);
    expect(again.length).toBe(2);
    expect(again.pendingSamples).toBe(5);
    expect(again.oldest()!.samples).toBe(2);
    // New requests go after the old ones.
    await again.append([batch(4)]);
    const order: number[] = [];
    for (let b = again.oldest(); b; b = again.oldest()) order.push(b.samples), await again.remove(b.seq);
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
    await q.remove(sending.seq);
    expect(q.oldest()!.samples).toBe(3);
    expect(q.pendingSamples).toBe(7);
    await q.close();
  });
});
