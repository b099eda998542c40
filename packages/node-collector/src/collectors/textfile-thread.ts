/**
 * The main thread's side of textfile-worker.ts: one worker per textfile directory, started on the first
 * scrape that reads it (a node without textfiles never pays for a thread), one request at a time. Scrapes
 * that overlap share the reading in flight; a reading that outlives its scrape (a hung NFS server) is
 * abandoned, not cancelled, and later scrapes wait on that same reading instead of queueing more, so a
 * directory that never answers holds one thread, not one per scrape.
 */
import type { TextfileReply, TextfileRequest } from "./textfile-worker.ts";
import { workerUrl } from "../worker-url.ts";

class DirectoryThread {
  private worker: Worker | undefined;
  private inflight: Promise<TextfileReply[]> | undefined;
  private answer: ((replies: TextfileReply[]) => void) | undefined;

  constructor(private readonly dir: string) {}

  read(maxBytes: number): Promise<TextfileReply[]> {
    if (!this.inflight) {
      this.inflight = new Promise<TextfileReply[]>((resolve) => (this.answer = resolve));
      (this.worker ?? this.start()).postMessage({ dir: this.dir, maxBytes } satisfies TextfileRequest);
    }
    return this.inflight;
  }

  private start(): Worker {
    const worker = new Worker(workerUrl(import.meta.url, "./textfile-worker.ts", "node-collector/src/collectors/textfile-worker.js"));
    worker.unref(); // a thread stuck on a dead server must not keep the agent from exiting
    worker.onmessage = (event: MessageEvent<TextfileReply[]>) => this.settle(event.data);
    worker.onerror = (event) => {
      this.worker?.terminate();
      this.worker = undefined;
      this.settle([{ error: `textfile thread failed: ${event.message}` }]);
    };
    return (this.worker = worker);
  }

  private settle(replies: TextfileReply[]): void {
    const answer = this.answer;
    this.inflight = undefined;
    this.answer = undefined;
    answer?.(replies);
  }
}

/** One thread per directory, for as long as its owner (a textfile collector instance) lives. */
export class TextfileThreads {
  private readonly threads = new Map<string, DirectoryThread>();

  /** Every *.prom file of `dir` (a directory or a glob of them) as textfile-worker.ts reads it, on its own thread. */
  read(dir: string, maxBytes: number): Promise<TextfileReply[]> {
    let thread = this.threads.get(dir);
    if (!thread) this.threads.set(dir, (thread = new DirectoryThread(dir)));
    return thread.read(maxBytes);
  }
}
