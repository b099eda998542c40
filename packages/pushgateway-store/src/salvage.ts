/**
 * `agent push-store salvage`: copies every group that can still be read from a damaged push store into a fresh
 * one. The damaged file is read by lmdb-file.ts alone (positional reads, every offset checked), never mapped by
 * LMDB, so no page of it can crash the salvager. Records come from the newest readable snapshot; where a
 * subtree of it is unreadable, the previous snapshot (LMDB keeps two) fills in the groups of those keys, and
 * then pages no snapshot reaches any more (see collect).
 * A record is copied only when it decodes to a whole group whose key is the digest of its own grouping labels.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { lockDir } from "@agent/core";
import { dbKey, GroupDb, importLmdb, openFile, type GroupRecord } from "./group-db.ts";
import { groupingKey } from "./grouping-key.ts";
import { inAnyRange, LmdbFile, type LostRange } from "./lmdb-file.ts";
import { preflightStore, readMetas, refuseIfInUse, STORE_FILE, storeFile } from "./store-check.ts";

export interface SalvageReport {
  source: string;
  target: string;
  /** Groups in the new store. */
  groups: number;
  /** Of those, groups taken from the previous snapshot because the newest one could not be read there. */
  fromOlderSnapshot: number;
  /**
   * Of those, groups that neither snapshot could reach, taken from leaf pages and overflow runs found by scanning
   * the file (the newest copy found of each; it may be older than the lost one, or a group deleted since).
   */
  fromLoosePages: number;
  /** Records found but not copied, with why. */
  skipped: string[];
  /** What could not be read at all. */
  unreadable: string[];
}

const GROUP_KEY = /^g:[0-9a-f]{64}$/;

function isStrings(v: unknown): v is Record<string, string> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === "string");
}

/** A family of format 2 ([name, type, help, at, metrics]) or format 1 ([name, type, help, text, at, series]). */
function isFamilyRecord(f: unknown): boolean {
  if (!Array.isArray(f) || typeof f[0] !== "string" || typeof f[1] !== "string" || (f[2] !== null && typeof f[2] !== "string")) return false;
  if (f.length === 5) return typeof f[3] === "number" && Array.isArray(f[4]) && f[4].every((m) => Array.isArray(m) && Array.isArray(m[0]));
  return f.length === 6 && typeof f[3] === "string" && typeof f[4] === "number" && typeof f[5] === "number";
}

/** Why `v`, stored under `key`, is not a whole group record; null when it is one. */
function recordFault(key: string, v: unknown): string | null {
  if (typeof v !== "object" || v === null) return "not a group record";
  const r = v as Partial<GroupRecord>;
  if (!isStrings(r.labels) || typeof r.labels.job !== "string") return "no grouping labels";
  for (const n of [r.pushTime, r.failTime, r.createdAt, r.ttl, r.expiresAt]) if (typeof n !== "number") return "a time field is not a number";
  if (!Array.isArray(r.families)) return "no families";
  for (const f of r.families) if (!isFamilyRecord(f)) return "a family is malformed";
  return dbKey(groupingKey(r.labels)) === key ? null : "its labels do not match its key";
}

/** lmdb-js's msgpackr decoder (its `decoder`): reads the first value of a buffer and where that value ends. */
interface ValueDecoder {
  unpackMultiple(source: Uint8Array, each: (value: unknown, start: number, end: number) => boolean): void;
}

/** The first record in `data` (an overflow run read to its last page) and its exact bytes, when it is a group. */
function groupAtStart(decoder: ValueDecoder, data: Uint8Array): { key: string; value: Uint8Array } | undefined {
  let out: { key: string; value: Uint8Array } | undefined;
  try {
    decoder.unpackMultiple(data, (value, _start, end) => {
      const labels = (value as Partial<GroupRecord> | null)?.labels;
      if (isStrings(labels) && typeof labels.job === "string") out = { key: dbKey(groupingKey(labels)), value: data.slice(0, end) };
      return false;
    });
  } catch {
    // Not a record (or a damaged one): nothing to take from this run.
  }
  return out;
}

interface Found {
  records: Map<string, Uint8Array>;
  fromOlderSnapshot: number;
  fromLoosePages: number;
  unreadable: string[];
}

const latin1 = (k: Uint8Array) => Buffer.from(k).toString("latin1");

/**
 * Every record of `f` that can be read: the newest snapshot's, then, for keys it cannot reach, the previous
 * snapshot's, then the newest copy on any leaf page or overflow run left in the file (a group's key is the
 * digest of its labels, so a record whose leaf is lost still says where it belongs).
 */
function collect(f: LmdbFile, decoder: ValueDecoder): Found {
  const { metas, problems } = readMetas(f);
  const out: Found = { records: new Map(), fromOlderSnapshot: 0, fromLoosePages: 0, unreadable: [...problems] };
  const [newest, older] = metas;
  if (!newest) throw new Error(`${f.path}: neither meta page can be read (${problems.join("; ")}); there is nothing to salvage`);
  const lost: LostRange[] = [];
  f.walk(newest, newest.main, true, (r) => lost.push(r), (e) => out.records.set(latin1(e.key), e.value));
  for (const r of lost) out.unreadable.push(`snapshot ${newest.txnid}: ${r.why}`);
  if (lost.length === 0) return out;
  const lostOlder: LostRange[] = [];
  if (older) {
    const lostHere = (r: LostRange) => {
      lostOlder.push(r);
      out.unreadable.push(`snapshot ${older.txnid}: ${r.why}`);
    };
    f.walk(older, older.main, true, lostHere, (e) => {
      const k = latin1(e.key);
      if (out.records.has(k) || !inAnyRange(e.key, lost)) return;
      out.records.set(k, e.value);
      if (GROUP_KEY.test(k)) out.fromOlderSnapshot++;
    });
  }
  const loose = new Map<string, { value: Uint8Array; txnid: number }>();
  const offer = (k: string, value: Uint8Array, txnid: number) => {
    const key = Buffer.from(k, "latin1");
    if (!GROUP_KEY.test(k) || out.records.has(k) || !inAnyRange(key, lost) || (older && !inAnyRange(key, lostOlder))) return;
    if ((loose.get(k)?.txnid ?? -1) < txnid) loose.set(k, { value, txnid });
  };
  f.scanLeaves(newest, (e, txnid) => offer(latin1(e.key), e.value, txnid));
  f.scanOverflowRuns(newest, (data, txnid) => {
    const g = groupAtStart(decoder, data);
    if (g) offer(g.key, g.value, txnid);
  });
  for (const [k, { value }] of loose) out.records.set(k, value);
  out.fromLoosePages = loose.size;
  return out;
}

/** Copies the readable groups of the store at `source` (its directory or its push.mdb) into a new store in `targetDir`. */
export async function salvageStore(source: string, targetDir: string): Promise<SalvageReport> {
  const file = storeFile(source);
  if (!existsSync(file)) throw new Error(`${file} does not exist`);
  refuseIfInUse(file);
  const targetFile = join(targetDir, STORE_FILE);
  if (existsSync(targetFile) && statSync(targetFile).size > 0) throw new Error(`${targetFile} already exists; name a new directory with --to`);

  // The new store is written through LMDB with the records' own bytes, then each is read back through the
  // store's decoder; what does not decode to a whole group is taken out again.
  const skipped: string[] = [];
  let found: Found;
  const lock = lockDir(targetDir, "salvage target directory");
  try {
    preflightStore(targetDir);
    const { open, asBinary } = await importLmdb();
    const db = openFile(open, targetFile);
    try {
      const f = new LmdbFile(file);
      try {
        found = collect(f, (db as unknown as { decoder: ValueDecoder }).decoder);
      } finally {
        f.close();
      }
      const records = found.records;
      const groups = [...records.keys()].filter((k) => GROUP_KEY.test(k));
      for (const k of records.keys()) if (k !== "format" && !GROUP_KEY.test(k)) skipped.push(`${JSON.stringify(k)}: not a key this store writes`);
      db.transactionSync(() => {
        for (const k of groups) db.put(k, asBinary(records.get(k)!) as unknown as GroupRecord);
      });
      const bad: string[] = [];
      for (const k of groups) {
        let fault: string | null;
        try {
          fault = recordFault(k, db.get(k));
        } catch (e) {
          fault = `does not decode (${(e as Error).message.slice(0, 120)})`;
        }
        if (fault) {
          bad.push(k);
          skipped.push(`${k}: ${fault}`);
        }
      }
      db.transactionSync(() => {
        for (const k of bad) db.remove(k);
      });
    } finally {
      await db.close();
    }
  } finally {
    lock.release();
  }
  // The proof that the agent will start on it: the new store opens and loads as the push role does it.
  const check = await GroupDb.open(targetDir);
  try {
    const groups = (await check.loadAll()).length;
    const { fromOlderSnapshot, fromLoosePages, unreadable } = found;
    return { source: file, target: targetFile, groups, fromOlderSnapshot, fromLoosePages, skipped, unreadable };
  } finally {
    await check.close();
  }
}
