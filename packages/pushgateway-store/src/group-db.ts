/**
 * The durable side: one LMDB environment under the role's data directory, one record per group holding
 * its families as values (family-record.ts) and its times, so a restart reads records and never parses
 * text. Writes issued while a transaction commits share the next one (group
 * commit); the returned promise settles once that transaction is committed and, with `--push.sync=flush`,
 * on disk. A failed commit rejects with a StorageFailure that names its cause.
 */
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { RootDatabase } from "lmdb";
import { lockDir, type DirLock } from "@agent/core";
import type { StoredFamily } from "./families.ts";
import { fromFamilyRecord, toFamilyRecord, type FamilyRecord, type FamilyRecordV1 } from "./family-record.ts";
import { groupSeriesLabels } from "./grouping.ts";
import { groupingKey, type GroupLabels } from "./grouping-key.ts";
import type { Group } from "./group.ts";
import { damagedAdvice, preflightStore, STORE_FILE } from "./store-check.ts";
import type { GroupStorage } from "./group-storage.ts";
import { freeBytes, StorageFailure } from "./storage-failure.ts";

/** Format 1 records held rendered text; this agent reads them and writes format 2 (see family-record.ts). */
const FORMAT = 2;
const READABLE_FORMATS: readonly unknown[] = [1, 2];
/** Every group's record key starts with this. */
export const GROUP_PREFIX = "g:";

export interface GroupRecord {
  labels: GroupLabels;
  pushTime: number;
  failTime: number;
  failReason: string | null;
  createdAt: number;
  ttl: number;
  expiresAt: number;
  families: (FamilyRecord | FamilyRecordV1)[];
}

export function dbKey(groupKey: string): string {
  // Grouping keys may hold 64 KiB label values; LMDB keys stop at 511 bytes. A digest names the record.
  return GROUP_PREFIX + new Bun.CryptoHasher("sha256").update(groupKey).digest("hex");
}

export function toRecord(g: Group): GroupRecord {
  const families: FamilyRecord[] = [];
  for (const f of g.families.values()) families.push(toFamilyRecord(f));
  return {
    labels: g.labels,
    pushTime: g.pushTime,
    failTime: g.failTime,
    failReason: g.failReason ?? null,
    createdAt: g.createdAt,
    ttl: g.ttl,
    expiresAt: g.expiresAt,
    families,
  };
}

/** One copy of each family name, HELP text and label string across all groups, however many records repeat them. */
export class Interner {
  private readonly seen = new Map<string, string>();
  get(s: string): string {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    this.seen.set(s, s);
    return s;
  }
}

export function fromRecord(r: GroupRecord, intern: Interner): Group {
  const families = new Map<string, StoredFamily>();
  const get = (s: string) => intern.get(s);
  for (const rec of r.families) {
    const f = fromFamilyRecord(rec, get);
    families.set(f.name, f);
  }
  return {
    key: groupingKey(r.labels),
    labels: r.labels,
    seriesLabels: groupSeriesLabels(r.labels),
    families,
    pushTime: r.pushTime,
    failTime: r.failTime,
    failReason: r.failReason ?? undefined,
    createdAt: r.createdAt,
    ttl: r.ttl,
    expiresAt: r.expiresAt,
  };
}

type Open = typeof import("lmdb").open;

/**
 * lmdb loads its native addon when first imported, and in the compiled agent Bun unpacks that addon into
 * $TMPDIR first; importing it on first use, not at the top, keeps a noexec /tmp from stopping every role
 * that does not need it.
 */
export async function importLmdb(): Promise<typeof import("lmdb")> {
  try {
    return await import("lmdb");
  } catch (e) {
    throw new Error(
      `cannot load the LMDB addon (${(e as Error).message}); it is unpacked into the temporary directory ${tmpdir()}, ` +
        "which must allow executing files: point TMPDIR at a directory on an executable file system",
    );
  }
}

/**
 * Address space LMDB maps the file into at open. lmdb-js grows a smaller map by mapping the file again and
 * keeps every earlier mapping (reads may still point into it), so the pages a store touched while growing
 * were resident once per mapping, several times over in a large store's RSS. A map this size is
 * only address space (the file grows with its data, not with the map); a store that outgrows it still works,
 * remapped as before.
 */
const INITIAL_MAP_BYTES = 4 * 2 ** 30;

/** `flush`: a change is acknowledged once on disk; `commit`: once its commit reached the OS. */
export type SyncMode = "flush" | "commit";

/**
 * lmdb-js on Linux syncs each commit after releasing the write lock (overlappingSync), so commits queue
 * behind a sync and then share the next one. `commit` mode turns syncing off (noSync), which is all that
 * separates it from `flush`. `separateFlushed` gives each write promise a `flushed` promise of its own.
 * Event-turn batching is off: it starts each batch with a write of its own whose promise nobody holds,
 * so every failed commit became an unhandled rejection; without it a commit starts at the next
 * setImmediate, or sooner once a few writes wait, and writes issued meanwhile go into the next one.
 */
export function openFile(open: Open, file: string, sync: SyncMode = "flush"): RootDatabase<GroupRecord | number, string> {
  return open<GroupRecord | number, string>({
    path: file,
    encoding: "msgpack",
    cache: false,
    eventTurnBatching: false,
    mapSize: INITIAL_MAP_BYTES,
    ...(sync === "commit" ? { noSync: true } : { separateFlushed: true }),
  });
}

/** What lmdb-js write methods return: settles at commit; with separateFlushed, `flushed` settles once on disk. */
type Written = Promise<unknown> & { flushed?: Promise<unknown> };

/**
 * lmdb-js rejects every write of a failed transaction with "Commit failed" and keeps the cause (an error
 * with the errno as `code`) in a `commitError` promise, which it rejects right after; this takes the
 * cause from it, so that promise has a handler too.
 */
async function commitCause(e: unknown): Promise<unknown> {
  const pending = (e as { commitError?: unknown } | null)?.commitError;
  if (!(pending instanceof Promise)) return e;
  return pending.then(
    () => e,
    (cause: unknown) => cause,
  );
}

export class GroupDb implements GroupStorage {
  readonly kind = "lmdb";
  private constructor(
    private db: RootDatabase<GroupRecord | number, string>,
    private readonly file: string,
    private readonly openLmdb: Open,
    private readonly lock: DirLock,
    private readonly sync: SyncMode,
  ) {}

  /** The directory is locked first (one agent per store) and the store checked before LMDB maps it. */
  static async open(dir: string, sync: SyncMode = "flush"): Promise<GroupDb> {
    const lock = lockDir(dir, "push data directory");
    try {
      preflightStore(dir);
      const file = join(dir, STORE_FILE);
      const { open } = await importLmdb();
      let db: RootDatabase<GroupRecord | number, string>;
      try {
        db = openFile(open, file, sync);
      } catch (e) {
        throw new Error(`cannot open ${file}: ${(e as Error).message}`);
      }
      const format = db.get("format");
      if (format === undefined || (format !== FORMAT && READABLE_FORMATS.includes(format))) db.putSync("format", FORMAT);
      else if (format !== FORMAT) throw new Error(`${dir} holds push data in format ${String(format)}; this agent reads format ${FORMAT}`);
      return new GroupDb(db, file, open, lock, sync);
    } catch (e) {
      lock.release();
      throw e;
    }
  }

  /**
   * Every stored group, for start-up. Reading maps every page of the file into memory, where it would
   * stay resident for good; reopening the environment afterwards unmaps them, and from then on only the
   * pages that writes touch come back.
   */
  async loadAll(): Promise<Group[]> {
    const out: Group[] = [];
    const intern = new Interner();
    try {
      for (const { value } of this.db.getRange({ start: GROUP_PREFIX, end: GROUP_PREFIX + "\uffff" })) {
        if (typeof value === "object" && value !== null) out.push(fromRecord(value, intern));
      }
    } catch (e) {
      // The pages are whole (checked before opening) but a record's bytes are not what was written.
      const why = (e as Error).message.slice(0, 120);
      throw new Error(`${this.file} is damaged: a record does not decode (${why}). ${damagedAdvice(dirname(this.file))}`);
    }
    await this.db.close();
    this.db = openFile(this.openLmdb, this.file, this.sync);
    return out;
  }

  save(g: Group): Promise<void> {
    return this.settle(this.db.put(dbKey(g.key), toRecord(g)));
  }

  remove(groupKey: string): Promise<void> {
    return this.settle(this.db.remove(dbKey(groupKey)));
  }

  /** Removes these groups in one transaction; only this agent writes here, so none changed unseen. */
  async removeAll(groupKeys: readonly string[]): Promise<number> {
    await this.settle(
      this.db.batch(() => {
        for (const k of groupKeys) this.db.remove(dbKey(k));
      }),
    );
    return groupKeys.length;
  }

  replicas(): string[] {
    return [];
  }

  unready(): undefined {
    return undefined;
  }

  /** Only this agent writes the file: there is nothing to follow or catch up with. */
  follow(): void {}

  async catchUp(): Promise<void> {}

  freeBytes(): number | undefined {
    return freeBytes(this.dir);
  }

  /**
   * Waits for the write's commit and, in flush mode, for its sync; a failure becomes a StorageFailure.
   * lmdb-js documents the write promise as settling at commit and `flushed` once on disk; 3.5.6 settles
   * both after the sync, but only `flushed` promises it.
   */
  private async settle(written: Written): Promise<void> {
    try {
      await written;
      if (this.sync === "flush") await written.flushed;
    } catch (e) {
      throw StorageFailure.from(await commitCause(e), this.dir);
    }
  }

  /** The directory holding the environment. */
  get dir(): string {
    return dirname(this.file);
  }

  get location(): string {
    return this.dir;
  }

  /** Bytes the environment occupies on disk. */
  sizeBytes(): number {
    try {
      return statSync(this.file).size;
    } catch {
      return 0;
    }
  }

  async close(): Promise<void> {
    // Closing waits for the last transaction's sync, which never comes when that transaction failed (a
    // full disk). An empty transaction commits without any I/O and becomes the last one.
    await this.db.transaction(() => undefined);
    await this.db.close();
    this.lock.release();
  }
}
