/**
 * What is checked before LMDB is let near the push store: that the directory can be written, that its file
 * system has room, and that the data file is whole (see lmdb-file.ts), so that a damaged file or a full disk
 * is a message naming the file and what to do, not a SIGBUS.
 */
import { accessSync, constants, existsSync, statfsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { DirInUseError, lockDir, LOCK_FILE } from "@agent/core";
import { LmdbFile, type LostRange, type Meta } from "./lmdb-file.ts";

export const STORE_FILE = "push.mdb";
/**
 * Room a new store needs to open: LMDB maps its lock file and writes its first pages at once, and a write to
 * a mapped page that finds no room is a SIGBUS. A store whose data and lock files exist opens without
 * writing and serves what it holds; its pushes are refused with 507 until there is room.
 */
const MIN_FREE_BYTES = 1 << 20;

export interface StoreHealth {
  file: string;
  /** Bytes; 0 for a file that does not exist yet. */
  size: number;
  /** What is wrong, one line each; empty when the file is whole. */
  problems: string[];
  /** The snapshot LMDB would open, when a meta page is readable. */
  meta?: Meta;
  /** Records in that snapshot's main tree that could be read. */
  records: number;
}

/** The data file of a store given as its directory or as the file itself. */
export function storeFile(path: string): string {
  try {
    if (statSync(path).isDirectory()) return join(path, STORE_FILE);
  } catch {
    // Not there: a name that ends in .mdb is the file, anything else its directory.
  }
  return path.endsWith(".mdb") ? path : join(path, STORE_FILE);
}

/** The valid meta pages of `f`, newest first (the first is the snapshot LMDB opens), and what is wrong with the others. */
export function readMetas(f: LmdbFile): { metas: Meta[]; problems: string[] } {
  const problems: string[] = [];
  const m0 = f.readMeta(0);
  const m1 = f.readMeta(1, typeof m0 === "string" ? undefined : m0.pageSize);
  const metas: Meta[] = [];
  for (const m of [m0, m1]) {
    if (typeof m === "string") problems.push(m);
    else metas.push(m);
  }
  metas.sort((a, b) => b.txnid - a.txnid);
  return { metas, problems };
}

function describe(r: LostRange): string {
  const key = (k: Uint8Array | null) => (k === null ? "…" : JSON.stringify(new TextDecoder().decode(k)));
  return r.from === null && r.to === null ? r.why : `${r.why} (keys ${key(r.from)} to ${key(r.to)} unreadable)`;
}

/** Checks every page LMDB would read on opening `file` and loading every record. Never maps the file. */
export function checkStoreFile(file: string): StoreHealth {
  if (!existsSync(file)) return { file, size: 0, problems: [], records: 0 };
  const f = new LmdbFile(file);
  try {
    // LMDB starts an empty file afresh (a store whose creation stopped before its first page was written).
    if (f.size === 0) return { file, size: 0, problems: [], records: 0 };
    const { metas, problems } = readMetas(f);
    const meta = metas[0];
    let records = 0;
    if (meta) {
      const lost = (r: LostRange) => problems.push(describe(r));
      // Each free-page record is a count and at least that many page numbers (a record may keep spare room
      // after them); LMDB trusts the count when it allocates, so a count beyond the record is damage.
      f.walk(meta, meta.free, false, lost, ({ value }) => {
        const count = value.length >= 8 ? Number(new DataView(value.buffer, value.byteOffset).getBigUint64(0, true)) : -1;
        if (count < 0 || value.length % 8 !== 0 || value.length < (count + 1) * 8) {
          problems.push(`a free-page record of ${value.length} bytes counts ${count} pages`);
        }
      });
      f.walk(meta, meta.main, true, lost, () => records++);
      if (problems.length === 0 && records !== meta.main.entries) {
        problems.push(`the main tree holds ${records} records where meta page ${meta.page} counts ${meta.main.entries}`);
      }
    }
    return { file, size: f.size, problems, meta, records };
  } finally {
    f.close();
  }
}

/** What to tell the operator about a damaged store in `dir`. */
export function damagedAdvice(dir: string): string {
  return (
    `Move it aside to start with an empty store, or copy out what is readable with ` +
    `\`agent push-store salvage ${dir} --to ${dir}.salvaged\` and put that directory in its place`
  );
}

/**
 * Throws, naming the path, unless `dir` (which the caller has created and locked) can hold an LMDB store that
 * is safe to open: writable, with room on its file system, and with a data file that is new or whole.
 */
export function preflightStore(dir: string): void {
  const file = join(dir, STORE_FILE);
  for (const path of existsSync(file) ? [dir, file] : [dir]) {
    try {
      accessSync(path, constants.R_OK | constants.W_OK);
    } catch (e) {
      throw new Error(`cannot write to ${path} (${(e as NodeJS.ErrnoException).code}); the push store needs it readable and writable`);
    }
  }
  const isNew = !existsSync(file) || !existsSync(file + "-lock");
  const fs = statfsSync(dir);
  // root may use the blocks the file system reserves; anyone else only the available ones.
  const free = (process.getuid?.() === 0 ? fs.bfree : fs.bavail) * fs.bsize;
  if (isNew && free < MIN_FREE_BYTES) {
    throw new Error(`no space left on the file system of ${dir} (${free} bytes free; a new push store needs at least 1 MiB to open): free some space`);
  }
  const health = checkStoreFile(file);
  if (health.problems.length > 0) {
    throw new Error(`${file} is damaged: ${health.problems.slice(0, 3).join("; ")}${health.problems.length > 3 ? ` (and ${health.problems.length - 3} more)` : ""}. ${damagedAdvice(dir)}`);
  }
}

/**
 * For the offline commands: refuses a store that an agent is running on, whose pages may change under the
 * reader. The lock is taken and dropped at once; they only read the source.
 */
export function refuseIfInUse(file: string): void {
  const dir = dirname(file);
  if (!existsSync(join(dir, LOCK_FILE))) return;
  try {
    lockDir(dir, "push data directory").release();
  } catch (e) {
    // A directory this process cannot lock (read-only media) is one no agent can be writing to either.
    if (e instanceof DirInUseError) throw new Error(`${e.message.split(";")[0]}; stop it before reading its store`);
  }
}
