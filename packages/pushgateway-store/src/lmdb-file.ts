/**
 * A defensive reader of an LMDB data file, in plain TypeScript with positional reads. LMDB itself trusts the
 * file: it maps it and follows every page number and offset it finds, so a truncated file or an overwritten
 * page kills the process with SIGBUS or SIGSEGV. This reader checks each thing before it uses it (page number
 * in the file, the page's own number in its header, its type, its free-space bounds, every node inside the
 * page, every overflow run) and reports what is wrong instead, which lets the store be checked before LMDB
 * opens it and lets the readable records of a damaged file be copied out.
 *
 * The layout is that of the LMDB bundled with lmdb-js 3 (liblmdb "mdb.master3", data version 2): 24-byte
 * page headers (page number, txnid, pad, flags, lower/upper), two meta pages, a free-page tree and a main tree.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";

const MDB_MAGIC = 0xbeefc0de;
const MDB_DATA_VERSION = 2;
const PAGE_HEADER = 24;
const NODE_HEADER = 8;
const P_BRANCH = 0x01;
const P_LEAF = 0x02;
const P_OVERFLOW = 0x04;
const P_META = 0x08;
const F_BIGDATA = 0x01;
const F_SUBDATA = 0x02;
const F_DUPDATA = 0x04;
/** An empty tree's root. */
const P_INVALID = 0xffffffffffffffffn;
/** Deeper than any tree a file of 2^64 bytes can hold; a cycle in a damaged file stops here too. */
const MAX_DEPTH = 32;

export interface TreeRef {
  depth: number;
  entries: number;
  /** null for an empty tree. */
  root: number | null;
}

export interface Meta {
  /** 0 or 1: which meta page. */
  page: number;
  txnid: number;
  pageSize: number;
  free: TreeRef;
  main: TreeRef;
}

/** A stretch of keys whose records could not be read: [from, to), null for an open end. */
export interface LostRange {
  from: Uint8Array | null;
  to: Uint8Array | null;
  why: string;
}

export interface Entry {
  key: Uint8Array;
  value: Uint8Array;
}

export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function inRange(key: Uint8Array, r: LostRange): boolean {
  return (r.from === null || compareKeys(key, r.from) >= 0) && (r.to === null || compareKeys(key, r.to) < 0);
}

export function inAnyRange(key: Uint8Array, ranges: readonly LostRange[]): boolean {
  return ranges.some((r) => inRange(key, r));
}

class Damage extends Error {}

/** An open data file. Every read is bounds-checked; nothing here maps the file. */
export class LmdbFile {
  readonly size: number;
  private readonly fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, "r");
    this.size = fstatSync(this.fd).size;
  }

  close(): void {
    closeSync(this.fd);
  }

  private readAt(offset: number, length: number): Uint8Array {
    const buf = new Uint8Array(length);
    let got = 0;
    while (got < length) {
      const n = readSync(this.fd, buf, got, length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    if (got < length) throw new Damage(`the file ends at byte ${this.size}, inside bytes ${offset}-${offset + length}`);
    return buf;
  }

  /**
   * The meta page `page` (0 or 1), or a description of what is wrong with it. Page 0 tells the page size; page 1
   * is looked for at that size, or at the common sizes when page 0 is unreadable.
   */
  readMeta(page: 0 | 1, pageSize?: number): Meta | string {
    const sizes = page === 0 ? [0] : pageSize ? [pageSize] : [4096, 8192, 16384, 32768, 65536, 2048, 1024, 512];
    let why = "";
    for (const size of sizes) {
      const offset = page * size;
      if (offset + PAGE_HEADER + 160 > this.size) {
        why = `meta page ${page}: the file (${this.size} bytes) is too short to hold it`;
        continue;
      }
      const b = this.readAt(offset, PAGE_HEADER + 160);
      const v = new DataView(b.buffer);
      const flags = v.getUint16(18, true);
      const magic = v.getUint32(24, true);
      const version = v.getUint32(28, true) & 0xffff;
      const psize = v.getUint32(48, true);
      if (!(flags & P_META)) why = `meta page ${page} is not a meta page (flags 0x${flags.toString(16)})`;
      else if (magic !== MDB_MAGIC) why = `meta page ${page} has no LMDB magic number (0x${magic.toString(16)})`;
      else if (version !== MDB_DATA_VERSION) why = `meta page ${page} is LMDB data version ${version}, not ${MDB_DATA_VERSION}`;
      else if (psize < 512 || psize > 65536 || (psize & (psize - 1)) !== 0) why = `meta page ${page} names a page size of ${psize}`;
      else if (page === 1 && psize !== size) why = `meta page 1 names a page size of ${psize}, meta page 0 ${size}`;
      else if (Number(v.getBigUint64(0, true)) !== page) why = `meta page ${page} carries page number ${v.getBigUint64(0, true)}`;
      else {
        const tree = (at: number): TreeRef => {
          const root = v.getBigUint64(at + 40, true);
          return { depth: v.getUint16(at + 6, true), entries: Number(v.getBigUint64(at + 32, true)), root: root === P_INVALID ? null : Number(root) };
        };
        return {
          page,
          txnid: Number(v.getBigUint64(24 + 128, true)),
          pageSize: psize,
          free: tree(24 + 24),
          main: tree(24 + 72),
        };
      }
    }
    return why;
  }

  /** Page `pgno`, checked to be in the file, to say it is that page, and to belong to the snapshot `txnid`. */
  private page(meta: Meta, pgno: number, pages = 1): { bytes: Uint8Array; view: DataView; flags: number } {
    const ps = meta.pageSize;
    const filePages = Math.floor(this.size / ps);
    if (!Number.isSafeInteger(pgno) || pgno < 2 || pgno + pages > filePages) {
      throw new Damage(`page ${pgno}${pages > 1 ? ` (+${pages - 1})` : ""} lies outside the file's ${filePages} pages`);
    }
    const bytes = this.readAt(pgno * ps, ps);
    const view = new DataView(bytes.buffer);
    const own = view.getBigUint64(0, true);
    if (own !== BigInt(pgno)) throw new Damage(`page ${pgno} carries page number ${own} (overwritten or zeroed)`);
    const txnid = Number(view.getBigUint64(8, true));
    if (txnid > meta.txnid) throw new Damage(`page ${pgno} was written by transaction ${txnid}, after this snapshot (${meta.txnid})`);
    return { bytes, view, flags: view.getUint16(18, true) };
  }

  /** The value of a leaf node, following an overflow run when it has one. */
  private leafValue(meta: Meta, node: Uint8Array, nv: DataView, dataAt: number, size: number, flags: number): Uint8Array {
    if (!(flags & F_BIGDATA)) return node.slice(dataAt, dataAt + size);
    const pgno = Number(nv.getBigUint64(dataAt, true));
    const pages = Number(nv.getBigUint64(dataAt + 16, true));
    if (pages < 1 || pages * meta.pageSize < size + PAGE_HEADER) throw new Damage(`an overflow record of ${size} bytes claims ${pages} pages`);
    const first = this.page(meta, pgno, pages);
    if (!(first.flags & P_OVERFLOW)) throw new Damage(`page ${pgno} should start an overflow run but has flags 0x${first.flags.toString(16)}`);
    const rest = size + PAGE_HEADER > meta.pageSize ? this.readAt((pgno + 1) * meta.pageSize, size + PAGE_HEADER - meta.pageSize) : new Uint8Array(0);
    const out = new Uint8Array(size);
    const head = Math.min(size, meta.pageSize - PAGE_HEADER);
    out.set(first.bytes.subarray(PAGE_HEADER, PAGE_HEADER + head), 0);
    out.set(rest.subarray(0, size - head), head);
    return out;
  }

  /**
   * The nodes of branch or leaf page `pgno`, all checked before any is returned: a branch's children, or a
   * leaf's records (with their overflow runs read). With `range`, each leaf key must lie in it.
   */
  private nodes(
    meta: Meta,
    pgno: number,
    leaf: boolean,
    range?: { from: Uint8Array | null; to: Uint8Array | null },
  ): { txnid: number; children: Array<{ key: Uint8Array; child: number }>; entries: Entry[] } {
    const { bytes, view, flags } = this.page(meta, pgno);
    const want = leaf ? P_LEAF : P_BRANCH;
    if ((flags & (P_BRANCH | P_LEAF | P_OVERFLOW | P_META)) !== want) {
      throw new Damage(`page ${pgno} should be a ${leaf ? "leaf" : "branch"} page but has flags 0x${flags.toString(16)}`);
    }
    const lower = view.getUint16(20, true);
    const upper = view.getUint16(22, true);
    const ps = meta.pageSize;
    if (lower > upper || upper + PAGE_HEADER > ps || lower === 0) throw new Damage(`page ${pgno} has free-space bounds ${lower}..${upper}`);
    const children: Array<{ key: Uint8Array; child: number }> = [];
    const entries: Entry[] = [];
    for (let i = 0; i < lower >> 1; i++) {
      const at = view.getUint16(PAGE_HEADER + 2 * i, true) + PAGE_HEADER;
      if (at < upper + PAGE_HEADER || at + NODE_HEADER > ps) throw new Damage(`page ${pgno}: node ${i} starts at byte ${at}, outside the page`);
      const lo = view.getUint16(at, true);
      const hi = view.getUint16(at + 2, true);
      const nflags = view.getUint16(at + 4, true);
      const ksize = view.getUint16(at + 6, true);
      const keyAt = at + NODE_HEADER;
      if (keyAt + ksize > ps) throw new Damage(`page ${pgno}: node ${i}'s key runs past the page`);
      const key = bytes.slice(keyAt, keyAt + ksize);
      if (!leaf) {
        children.push({ key, child: lo + hi * 0x10000 + nflags * 0x100000000 });
        continue;
      }
      if (nflags & (F_SUBDATA | F_DUPDATA)) throw new Damage(`page ${pgno}: node ${i} has flags 0x${nflags.toString(16)}, which this store never writes`);
      const size = lo + hi * 0x10000;
      const dataAt = keyAt + ksize;
      if (dataAt + (nflags & F_BIGDATA ? 24 : size) > ps) throw new Damage(`page ${pgno}: node ${i}'s data runs past the page`);
      if (range && ((range.from && compareKeys(key, range.from) < 0) || (range.to && compareKeys(key, range.to) >= 0))) {
        throw new Damage(`page ${pgno}: a key lies outside the range its parent gives it`);
      }
      // Values are read (and overflow runs checked) even for a check alone: LMDB follows them at start-up.
      entries.push({ key, value: this.leafValue(meta, bytes, view, dataAt, size, nflags) });
    }
    return { txnid: Number(view.getBigUint64(8, true)), children, entries };
  }

  /**
   * Walks the tree `tree` of snapshot `meta` in key order, handing each record to `entry`. A subtree that cannot
   * be read is reported to `lost` with the keys it covered, and the walk goes on with its siblings.
   * `ordered` says the keys are byte strings in memcmp order, as in the main tree (the free-page tree's keys are
   * native integers), so that each leaf's keys can be checked against the range its parent gives it.
   */
  walk(meta: Meta, tree: TreeRef, ordered: boolean, lost: (r: LostRange) => void, entry?: (e: Entry) => void): void {
    if (tree.root === null) return;
    if (tree.depth < 1 || tree.depth > MAX_DEPTH) {
      lost({ from: null, to: null, why: `the tree claims a depth of ${tree.depth}` });
      return;
    }
    const visit = (pgno: number, level: number, from: Uint8Array | null, to: Uint8Array | null) => {
      let page: ReturnType<LmdbFile["nodes"]>;
      try {
        page = this.nodes(meta, pgno, level === tree.depth, ordered ? { from, to } : undefined);
      } catch (e) {
        if (!(e instanceof Damage)) throw e;
        lost({ from, to, why: e.message });
        return;
      }
      if (entry) for (const e of page.entries) entry(e);
      const kids = page.children;
      for (let i = 0; i < kids.length; i++) visit(kids[i]!.child, level + 1, i === 0 ? from : kids[i]!.key, i + 1 < kids.length ? kids[i + 1]!.key : to);
    };
    visit(tree.root, 1, null, null);
  }

  /**
   * Every overflow run in the file whose first page is whole, reachable or not, as the bytes from its data start
   * to the end of its last page (the record's exact length is in the leaf that pointed to it, which may be lost),
   * with the transaction that wrote it (not after `meta`'s).
   */
  scanOverflowRuns(meta: Meta, run: (data: Uint8Array, txnid: number) => void): void {
    const ps = meta.pageSize;
    const pages = Math.floor(this.size / ps);
    for (let pgno = 2; pgno < pages; pgno++) {
      try {
        const { view, flags } = this.page(meta, pgno);
        const count = view.getUint32(20, true);
        if (!(flags & P_OVERFLOW) || count < 1 || pgno + count > pages) continue;
        // No skipping over the run: a stale run's later pages may since have been reused for live ones.
        run(this.readAt(pgno * ps + PAGE_HEADER, count * ps - PAGE_HEADER), Number(view.getBigUint64(8, true)));
      } catch (e) {
        if (!(e instanceof Damage)) throw e;
      }
    }
  }

  /**
   * Every whole leaf page in the file, reachable or not, with the transaction that wrote it (not after `meta`'s):
   * the last resort when a tree's upper pages are gone. Unreachable leaves may hold older versions of records,
   * or records deleted since.
   */
  scanLeaves(meta: Meta, entry: (e: Entry, txnid: number) => void): void {
    const pages = Math.floor(this.size / meta.pageSize);
    for (let pgno = 2; pgno < pages; pgno++) {
      try {
        const page = this.nodes(meta, pgno, true);
        for (const e of page.entries) entry(e, page.txnid);
      } catch (e) {
        if (!(e instanceof Damage)) throw e;
      }
    }
  }
}
