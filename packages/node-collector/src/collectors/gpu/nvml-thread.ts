/**
 * The main thread's side of nvml-worker.ts: one worker per library, started only once the library is known
 * to load (a GPU-less host never pays for a thread), one request at a time: scrapes that overlap (two
 * Prometheus servers) share the reading in flight. A call that overruns the scrape is abandoned, not
 * cancelled; while NVML is blocked, later scrapes wait on that same call instead of queueing more.
 */
import { dlopen, FFIType } from "bun:ffi";
import type { Logger } from "@agent/core";
import { untilAborted } from "../../abort.ts";
import type { NvmlReply, NvmlRequest } from "./nvml-worker.ts";
import { workerUrl } from "../../worker-url.ts";

export type NvmlResult = Exclude<NvmlReply, { kind: "error" }>;

/** How long a library that failed to load or initialise is left alone before it is tried again. */
const RETRY_MS = 60_000;

/** Whether the dynamic linker can load `library` at all; nothing in it is called. */
function loads(library: string): boolean {
  try {
    dlopen(library, { nvmlInit_v2: { args: [], returns: FFIType.i32 } }).close();
    return true;
  } catch {
    return false;
  }
}

export class NvmlThread {
  private worker: Worker | undefined;
  private failedAt = -Infinity;
  /** Why NVML was last found unusable, answered again until it is retried. */
  private unavailable: NvmlResult & { kind: "unavailable" } = { kind: "unavailable", state: "no_library", message: "not tried yet" };
  private inflight: Promise<NvmlReply> | undefined;
  private answer: ((reply: NvmlReply) => void) | undefined;

  constructor(
    private readonly library: string,
    private readonly log: Logger,
  ) {}

  /** The GPUs as NVML reports them, or why NVML cannot be used here. */
  async read(signal: AbortSignal): Promise<NvmlResult> {
    if (!this.inflight) {
      const worker = this.worker ?? this.start();
      if (!worker) return this.unavailable;
      this.inflight = new Promise<NvmlReply>((resolve) => (this.answer = resolve));
      worker.postMessage({ library: this.library } satisfies NvmlRequest);
    }
    const reply = await untilAborted(this.inflight, signal);
    if (reply.kind === "error") throw new Error(reply.message);
    if (reply.kind === "unavailable") {
      if (this.worker) this.log.debug("NVML unavailable, using nvidia-smi", { collector: "gpu", err: reply.message });
      this.stop();
      return (this.unavailable = reply);
    }
    return reply;
  }

  private start(): Worker | undefined {
    if (Date.now() - this.failedAt < RETRY_MS) return undefined;
    if (!loads(this.library)) {
      this.failedAt = Date.now();
      this.unavailable = { kind: "unavailable", state: "no_library", message: `cannot load ${this.library}` };
      return undefined;
    }
    const worker = new Worker(workerUrl(import.meta.url, "./nvml-worker.ts", "node-collector/src/collectors/gpu/nvml-worker.js"));
    worker.unref(); // a thread stuck in the driver must not keep the agent from exiting
    worker.onmessage = (event: MessageEvent<NvmlReply>) => this.settle(event.data);
    worker.onerror = (event) => {
      const message = `NVML thread failed: ${event.message}`;
      this.stop();
      this.unavailable = { kind: "unavailable", state: "no_library", message };
      this.settle({ kind: "error", message });
    };
    return (this.worker = worker);
  }

  private settle(reply: NvmlReply): void {
    const answer = this.answer;
    this.inflight = undefined;
    this.answer = undefined;
    answer?.(reply);
  }

  private stop(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.failedAt = Date.now();
  }
}
