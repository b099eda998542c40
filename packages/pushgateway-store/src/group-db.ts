/**
 * The durable side: one LMDB environment under the role's data directory, one record per group holding
 * its already-rendered family text and just enough metadata to rebuild the indexes, so a restart reads
 * records and never re-parses. Writes issued in one event turn share one transaction (lmdb-js batches
 * them); the returned promise settles once that transaction is committed.
 */
import { statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { RootDatabase } from "lmdb";
import { lockDir, type DirLock, type MetricType } from "@agent/core";
import type { StoredFamily } from "./families.ts";
import { groupSeriesLabels } from "./families.ts";
import { groupingKey, type GroupLabels } from "./grouping-key.ts";
import type { Group } from "./memory-index.ts";
import { damagedAdvice, preflightStore, STORE_FILE } from "./store-check.ts";

const FORMAT = 1;
const GROUP_PREFIX = "g:";

/** [name, type, help or null, text, pushed at (ms), metrics in text] */
type FamilyRecord = [string, MetricType, string | null, string, number, number];

export interface GroupRecord {
  labels: GroupLabels;
  pushTime: number;
  failTime: number;
  failReason: string | null;
  createdAt: number;
  ttl: number;
  expiresAt: number;
  families: FamilyRecord[];
}

export function dbKey(groupKey: string): string {
  // Grouping keys may hold 64 KiB label values; LMDB keys stop at 511 bytes. A digest names the record.
  return GROUP_PREFIX + new Bun.CryptoHasher("sha256").update(groupKey).digest("hex");
}

function toRecord(g: Group): GroupRecord {
  const families: FamilyRecord[] = [];
  for (const f of g.families.values()) {
    families.push([f.name, f.type, f.help ?? null, f.text, f.at, f.series]);
  }
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

/** One copy of each family name and HELP text across all groups, however many records repeat them. */
class Interner {
  private readonly seen = new Map<string, string>();
  get(s: string): string {
    const known = this.seen.get(s);
    if (known !== undefined) return known;
    this.seen.set(s, s);
    return s;
  }
}

function fromRecord(r: GroupRecord, intern: Interner): Group {
  const families = new Map<string, StoredFamily>();
  for (const [rawName, type, help, text, at, series] of r.families) {
    const name = intern.get(rawName);
    families.set(name, { name, type: intern.get(type) as MetricType, help: help === null ? undefined : intern.get(help), text, at, series });
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

export function openFile(open: Open, file: string): RootDatabase<GroupRecord | number, string> {
  return open<GroupRecord | number, string>({ path: file, encoding: "msgpack", cache: false });
}

export class GroupDb {
  private constructor(
    private db: RootDatabase<GroupRecord | number, string>,
    private readonly file: string,
    private readonly openLmdb: Open,
    private readonly lock: DirLock,
  ) {}

  /** The directory is locked first (one agent per store) and the store checked before LMDB maps it. */
  static async open(dir: string): Promise<GroupDb> {
    const lock = lockDir(dir, "push data directory");
    try {
      preflightStore(dir);
      const file = join(dir, STORE_FILE);
      const { open } = await importLmdb();
      let db: RootDatabase<GroupRecord | number, string>;
      try {
        db = openFile(open, file);
      } catch (e) {
        throw new Error(`cannot open ${file}: ${(e as Error).message}`);
      }
      const format = db.get("format");
      if (format === undefined) db.putSync("format", FORMAT);
      else if (format !== FORMAT) throw new Error(`${dir} holds push data in format ${String(format)}; this agent reads format ${FORMAT}`);
      return new GroupDb(db, file, open, lock);
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
    this.db = openFile(this.openLmdb, this.file);
    return out;
  }

  save(g: Group): Promise<boolean> {
    return this.db.put(dbKey(g.key), toRecord(g));
  }

  remove(groupKey: string): Promise<boolean> {
    return this.db.remove(dbKey(groupKey));
  }

  /** Removes these groups in one transaction. */
  removeAll(groupKeys: readonly string[]): Promise<void> {
    return this.db.transaction(() => {
      for (const k of groupKeys) this.db.remove(dbKey(k));
    });
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
    await this.db.close();
    this.lock.release();
  }
}
