/**
 * One receiver's send loop: the oldest queued request goes out, one at a time, so order per series holds.
 * 2xx: done. 429, 5xx and network errors: the same request again after a backoff that doubles from
 * min_backoff to max_backoff, or after `Retry-After` when the receiver says so. Any other 4xx: the receiver
 * will never take it; the request is dropped and counted, and logged once until a send succeeds again.
 */
import { readFileSync } from "node:fs";
import type { Logger } from "@agent/core";
import type { RemoteWriteConfig } from "./config.ts";
import type { QueueMetrics } from "./metrics.ts";
import type { DiskQueue, QueuedBatch } from "./queue.ts";
import { WIRE_HEADERS } from "./wire.ts";

type Outcome = { kind: "ok" } | { kind: "retry"; why: string; afterSeconds?: number } | { kind: "fail"; why: string };

/** `Retry-After` as seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterSeconds(header: string | null, nowMs = Date.now()): number | undefined {
  if (header === null || header.trim() === "") return undefined;
  const n = Number(header.trim());
  if (Number.isFinite(n)) return Math.max(0, n);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, (at - nowMs) / 1000);
}

/** The longest a `Retry-After` may hold a queue, so a receiver's typo cannot stop it for days. */
const MAX_RETRY_AFTER_SECONDS = 600;

export class Sender {
  private stopped = false;
  private wakeUp: (() => void) | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private loggedFailure = false;

  constructor(
    private readonly config: RemoteWriteConfig,
    private readonly queue: DiskQueue,
    private readonly metrics: QueueMetrics,
    private readonly log: Logger,
    private readonly userAgent: string,
  ) {}

  start(): void {
    this.loop = this.run();
  }

  /** The loop, restarted after a storage error (logged) so that one failed read or delete never ends sending. */
  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await this.sendAll();
      } catch (e) {
        this.log.error("remote-write queue error; retrying", { err: (e as Error).message });
        await this.sleep(this.config.queue.maxBackoff);
      }
    }
  }

  /** Called after an append: a loop waiting for work starts at once. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.abort.abort();
    this.wake();
    await this.loop;
  }

  private headers(): Record<string, string> {
    const h: Record<string, string> = { ...this.config.headers, ...WIRE_HEADERS, "User-Agent": this.userAgent };
    const { basicAuth, authorization } = this.config;
    // Secrets in files are reread for every request, so a rotated password takes effect without a restart.
    if (basicAuth) {
      const password = basicAuth.passwordFile ? readFileSync(basicAuth.passwordFile, "utf8").trim() : (basicAuth.password ?? "");
      h.Authorization = `Basic ${Buffer.from(`${basicAuth.username}:${password}`).toString("base64")}`;
    } else if (authorization) {
      const credentials = authorization.credentialsFile ? readFileSync(authorization.credentialsFile, "utf8").trim() : (authorization.credentials ?? "");
      h.Authorization = `${authorization.type} ${credentials}`;
    }
    return h;
  }

  private async post(batch: QueuedBatch): Promise<Outcome> {
    const tls = this.config.tls;
    let res: Response;
    try {
      res = await fetch(this.config.url, {
        method: "POST",
        body: batch.body,
        headers: this.headers(),
        signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.config.remoteTimeout * 1000)]),
        redirect: "manual",
        tls: tls && { ca: tls.ca, cert: tls.cert, key: tls.key, serverName: tls.serverName, rejectUnauthorized: !tls.insecureSkipVerify },
      });
    } catch (e) {
      return { kind: "retry", why: (e as Error).message };
    }
    if (res.status >= 200 && res.status < 300) {
      await res.body?.cancel();
      return { kind: "ok" };
    }
    const text = (await res.text().catch(() => "")).slice(0, 256).trim();
    const why = `HTTP ${res.status}${text ? `: ${text}` : ""}`;
    if (res.status === 429 || res.status >= 500) return { kind: "retry", why, afterSeconds: retryAfterSeconds(res.headers.get("retry-after")) };
    return { kind: "fail", why };
  }

  private sleep(seconds: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((done) => {
      const onAbort = () => (clearTimeout(t), done());
      // The listener goes with the timer, or a long outage would pile one up per retry.
      const t = setTimeout(() => (signal.removeEventListener("abort", onAbort), done()), seconds * 1000);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  private async sendAll(): Promise<void> {
    const { minBackoff, maxBackoff } = this.config.queue;
    let backoff = minBackoff;
    while (!this.stopped) {
      const batch = this.queue.oldest();
      if (!batch) {
        await new Promise<void>((done) => (this.wakeUp = done));
        this.wakeUp = undefined;
        continue;
      }
      const outcome = await this.post(batch);
      if (this.stopped) return;
      const m = this.metrics;
      if (outcome.kind === "retry") {
        m.samplesRetried += batch.samples;
        m.lastError = outcome.why;
        m.lastErrorTime = Date.now() / 1000;
        if (backoff === minBackoff) this.log.warn("remote write failed; retrying", { err: outcome.why });
        const wait = outcome.afterSeconds === undefined ? backoff : Math.min(Math.max(backoff, outcome.afterSeconds), MAX_RETRY_AFTER_SECONDS);
        backoff = Math.min(backoff * 2, maxBackoff);
        await this.sleep(wait);
        continue;
      }
      if (outcome.kind === "fail") {
        m.samplesFailed += batch.samples;
        m.lastError = outcome.why;
        m.lastErrorTime = Date.now() / 1000;
        if (!this.loggedFailure) this.log.error("remote write refused; dropping the request", { err: outcome.why, samples: batch.samples });
        this.loggedFailure = true;
      } else {
        if (backoff !== minBackoff || this.loggedFailure) this.log.info("remote write sending again");
        this.loggedFailure = false;
        m.samplesSent += batch.samples;
        m.bytesSent += batch.body.length;
        m.lastSendTime = Date.now() / 1000;
        m.highestSentTimestampMs = Math.max(m.highestSentTimestampMs, batch.highestTimestampMs);
      }
      backoff = minBackoff;
      this.queue.remove(batch.seq);
    }
  }
}
