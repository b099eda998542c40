/**
 * Reading files that may block: a textfile directory on NFS whose server stopped answering. Each system call
 * runs on Bun's thread pool (node:fs/promises), so the main thread, which serves every role, never waits on
 * one; the caller bounds how long it waits. Files are opened non-blocking, refused unless regular, and read
 * only up to a cap, so a FIFO, a link to /dev/zero or a huge file costs an error instead of a stall or memory.
 */
import { assertRegularFile, READ_NONBLOCK } from "@agent/core";
import { open, readdir } from "node:fs/promises";

/** What a read came to. Never a rejection: a read outliving its caller must not become an unhandled one. */
export type Outcome<T> = { ok: T } | { error: NodeJS.ErrnoException };

export interface FileContent {
  text: string;
  mtimeMs: number;
}

/**
 * Reads still running, by path. A read that outlives its scrape (a hung server) is joined by later scrapes
 * instead of started again, so a mount that never answers holds one pool thread per path, not one per scrape.
 */
const inflight = new Map<string, Promise<Outcome<unknown>>>();

function joined<T>(key: string, start: () => Promise<T>): Promise<Outcome<T>> {
  let read = inflight.get(key) as Promise<Outcome<T>> | undefined;
  if (read === undefined) {
    read = start().then(
      (ok) => ({ ok }),
      (error: NodeJS.ErrnoException) => ({ error }),
    );
    inflight.set(key, read);
    void read.then(() => inflight.delete(key));
  }
  return read;
}

/** The names in directory `path`. */
export function readDirOffThread(path: string): Promise<Outcome<string[]>> {
  return joined("dir:" + path, () => readdir(path));
}

/** Regular file `path` as UTF-8 text with its mtime; larger than `maxBytes` is an error, and nothing is kept. */
export function readFileOffThread(path: string, maxBytes: number): Promise<Outcome<FileContent>> {
  return joined("file:" + path, () => readCapped(path, maxBytes));
}

function tooLarge(path: string, maxBytes: number): Error {
  return new Error(`${path} is larger than ${maxBytes} bytes; not read`);
}

async function readCapped(path: string, maxBytes: number): Promise<FileContent> {
  const file = await open(path, READ_NONBLOCK);
  try {
    const st = await file.stat();
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
      const { bytesRead } = await file.read(buffer, n, buffer.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    return { text: buffer.toString("utf8", 0, n), mtimeMs: st.mtimeMs };
  } finally {
    await file.close();
  }
}
