/**
 * The thread a textfile directory is read on, one per directory. A directory on a network filesystem whose
 * server stopped answering blocks readdir or read for as long as the server is gone; here that keeps only
 * this directory's files waiting, where on the main thread it would stop every role, and on Bun's shared
 * thread pool two such calls (this and the filesystem collector's statfs of the same mount) would leave no
 * thread for any other file read. Answers each TextfileRequest with one TextfileReply.
 *
 * Files are opened non-blocking and read only when fstat says they are regular files no larger than the cap,
 * so a FIFO, a link to /dev/zero or a huge file is an error on that file rather than a stall or a heap.
 *
 * scripts/build.ts lists this file as an entry point so that the compiled binary embeds it.
 */
import { closeSync, fstatSync, openSync, readdirSync, readSync } from "node:fs";
import { assertRegularFile, READ_NONBLOCK } from "@agent/os";
import { goGlob } from "../go-glob.ts";

export interface TextfileRequest {
  /** --collector.textfile.directory's value: a directory or a Go glob of directories. */
  dir: string;
  maxBytes: number;
}

/** One *.prom file: its text and mtime, or why it was not read. */
export type TextfileRead = { path: string; text: string; mtimeMs: number } | { path: string; error: string };

/** One directory's *.prom files, or why it could not be listed. */
export type TextfileReply = { files: TextfileRead[] } | { error: string };

declare const self: Worker;

function tooLarge(path: string, maxBytes: number): Error {
  return new Error(`${path} is larger than ${maxBytes} bytes; not read`);
}

/** Regular file `path` as UTF-8 text with its mtime; one larger than `maxBytes` throws, and nothing is kept. */
export function readCapped(path: string, maxBytes: number): { text: string; mtimeMs: number } {
  const fd = openSync(path, READ_NONBLOCK);
  try {
    const st = fstatSync(fd);
    assertRegularFile(path, st);
    if (st.size > maxBytes) throw tooLarge(path, maxBytes);
    // A byte past the size, so that the first read comes back short and the next finds the end; a file that
    // grows meanwhile (or reports size 0, as procfs does) is read on, up to one byte past the cap, which
    // tells it is too large.
    const limit = maxBytes + 1;
    let buffer = Buffer.allocUnsafe(Math.min(Math.max(st.size + 1, 4096), limit));
    let n = 0;
    for (;;) {
      if (n === buffer.length) {
        if (n === limit) throw tooLarge(path, maxBytes);
        const bigger = Buffer.allocUnsafe(Math.min(n * 2, limit));
        buffer.copy(bigger, 0, 0, n);
        buffer = bigger;
      }
      const got = readSync(fd, buffer, n, buffer.length - n, n);
      if (got === 0) break;
      n += got;
    }
    return { text: buffer.toString("utf8", 0, n), mtimeMs: st.mtimeMs };
  } finally {
    closeSync(fd);
  }
}

/**
 * Every *.prom file of each directory `pattern` names, as node_exporter 1.8.2 reads its directory flag: a Go
 * glob, its matches in name order; one that matches nothing (or is malformed) is read as written, so a missing
 * directory is an error. Globbing here keeps a hung mount's readdir off the main thread too.
 */
export function readTextfileDirs(pattern: string, maxBytes: number): TextfileReply[] {
  const matches = goGlob(pattern);
  return (matches !== null && matches.length > 0 ? matches : [pattern]).map((dir) => readTextfiles(dir, maxBytes));
}

/** Every *.prom file of `dir`, in name order. */
export function readTextfiles(dir: string, maxBytes: number): TextfileReply {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    return { error: (e as Error).message };
  }
  const files: TextfileRead[] = [];
  for (const name of names.filter((n) => n.endsWith(".prom")).sort()) {
    const path = dir.replace(/\/+$/, "") + "/" + name;
    try {
      files.push({ path, ...readCapped(path, maxBytes) });
    } catch (e) {
      files.push({ path, error: (e as Error).message });
    }
  }
  return { files };
}

// Only as a worker: tests import the functions above on the main thread.
if (!Bun.isMainThread) {
  self.onmessage = (event: MessageEvent<TextfileRequest>) => {
    postMessage(readTextfileDirs(event.data.dir, event.data.maxBytes) satisfies TextfileReply[]);
  };
}
