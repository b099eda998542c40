import { afterAll, beforeAll, expect, test } from "bun:test";
import { closeSync, copyFileSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { columnsOf, StoredFamily } from "./families.ts";
import { GroupDb } from "./group-db.ts";
import { groupingKey } from "./grouping-key.ts";
import { LmdbFile } from "./lmdb-file.ts";
import type { Group } from "./group.ts";
import { checkStoreFile, readMetas } from "./store-check.ts";

let dir: string;
let file: string;

function group(i: number): Group {
  const labels = { job: "unit", instance: `i${i}` };
  // Every third record spans overflow pages.
  const metrics = Array.from({ length: i % 3 === 0 ? 200 : 1 }, (_, n) => ({
    labels: ["instance", `i${i}`, "job", "unit", "n", String(n)],
    value: i,
    parts: [],
    sum: 0,
    count: 0,
    hasInf: false,
  }));
  return {
    key: groupingKey(labels),
    labels,
    seriesLabels: [],
    families: new Map([["unit_total", new StoredFamily("unit_total", "counter", undefined, columnsOf("counter", metrics), 1)]]),
    pushTime: 1,
    failTime: 0,
    createdAt: 1,
    ttl: 0,
    expiresAt: 0,
  } as unknown as Group;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lmdb-file-"));
  const db = await GroupDb.open(join(dir, "push"));
  await Promise.all(Array.from({ length: 300 }, (_, i) => db.save(group(i))));
  await db.close();
  file = join(dir, "push", "push.mdb");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A copy of the store with `bytes` written at `offset`. */
function harmed(name: string, offset: number, bytes: Uint8Array): string {
  const copy = join(dir, name);
  copyFileSync(file, copy);
  const fd = openSync(copy, "r+");
  writeSync(fd, bytes, 0, bytes.length, offset);
  closeSync(fd);
  return copy;
}

function mainRoot(path: string): { root: number; pageSize: number } {
  const f = new LmdbFile(path);
  try {
    const m = readMetas(f).metas[0]!;
    return { root: m.main.root!, pageSize: m.pageSize };
  } finally {
    f.close();
  }
}

test("a whole store has no problems, and every record (overflow ones included) is read", () => {
  const h = checkStoreFile(file);
  expect(h.problems).toEqual([]);
  expect(h.records).toBe(301);
  expect(h.meta!.main.depth).toBeGreaterThan(1);
});

test("free-space bounds past the page are named with the page", () => {
  const { root, pageSize } = mainRoot(file);
  const copy = harmed("bounds.mdb", root * pageSize + 22, new Uint8Array([0xff, 0xff]));
  expect(checkStoreFile(copy).problems.join()).toContain(`page ${root} has free-space bounds`);
});

test("a page written after the snapshot that points to it is named", () => {
  const { root, pageSize } = mainRoot(file);
  const txnid = new Uint8Array(8);
  new DataView(txnid.buffer).setBigUint64(0, 1n << 40n, true);
  const copy = harmed("txnid.mdb", root * pageSize + 8, txnid);
  expect(checkStoreFile(copy).problems.join()).toContain(`page ${root} was written by transaction ${2 ** 40}`);
});

test("a branch pointing past the end of the file is named, not followed", () => {
  const { root, pageSize } = mainRoot(file);
  // The root's first node: its page number lives in the node header's first six bytes.
  const page = new Uint8Array(pageSize);
  const fd = openSync(file, "r");
  readSync(fd, page, 0, pageSize, root * pageSize);
  closeSync(fd);
  const firstNode = new DataView(page.buffer).getUint16(24, true) + 24;
  const copy = harmed("branch.mdb", root * pageSize + firstNode, new Uint8Array([0xff, 0xff, 0xff, 0x7f]));
  expect(checkStoreFile(copy).problems.join()).toContain("lies outside the file");
});
