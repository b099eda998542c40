/**
 * Job: collects a batch job's metrics, times it, and pushes once at the end with POST semantics, so
 * `<stem>_last_success_timestamp_seconds` survives the runs that fail. `timed()` is the one-line form.
 */
import { PushClient, type PushClientOptions, type PushResult } from "./client.ts";
import type { MetricInput } from "./metrics.ts";

/** Wall time for timestamps, a monotonic clock for durations; replaceable in tests. */
export interface Clock {
  wallMs(): number;
  monotonicMs(): number;
}

const systemClock: Clock = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };

export interface JobOptions extends PushClientOptions {
  /** Stem of the outcome metrics: `<stem>_duration_seconds`, `<stem>_success`, ... Default "job". */
  stem?: string;
  clock?: Clock;
}

export interface MetricOptions {
  help?: string;
  labels?: Readonly<Record<string, string>>;
}

export class Job {
  readonly client: PushClient;
  private readonly stem: string;
  private readonly clock: Clock;
  private readonly metrics: MetricInput[] = [];
  private startedAt?: number;
  /** The result of the push at the end of the last run. */
  lastPush?: PushResult;

  constructor(opts: JobOptions) {
    this.client = new PushClient(opts);
    this.stem = opts.stem ?? "job";
    this.clock = opts.clock ?? systemClock;
  }

  gauge(name: string, value: number, opts: MetricOptions = {}): this {
    this.metrics.push({ name, value, type: "gauge", ...opts });
    return this;
  }

  counter(name: string, value: number, opts: MetricOptions = {}): this {
    this.metrics.push({ name, value, type: "counter", ...opts });
    return this;
  }

  start(): this {
    this.startedAt = this.clock.monotonicMs();
    return this;
  }

  /** Adds the outcome metrics to those set so far and pushes them all. Never throws unless `strict`. */
  async finish(success: boolean): Promise<PushResult> {
    const now = this.clock.monotonicMs();
    // A clock that stepped back must not produce a negative duration on a dashboard.
    const seconds = this.startedAt === undefined ? 0 : Math.max(0, now - this.startedAt) / 1000;
    const s = this.stem;
    this.gauge(`${s}_duration_seconds`, seconds, { help: "How long the last run took." });
    this.gauge(`${s}_success`, success ? 1 : 0, { help: "1 if the last run succeeded, 0 if it failed." });
    const stamp = this.clock.wallMs() / 1000;
    if (success) this.gauge(`${s}_last_success_timestamp_seconds`, stamp, { help: "When the last successful run ended." });
    else this.gauge(`${s}_last_failure_timestamp_seconds`, stamp, { help: "When the last failed run ended." });
    const batch = this.metrics.splice(0);
    this.lastPush = await this.client.pushAdd(batch);
    return this.lastPush;
  }

  /** Runs `fn`, pushes its outcome, and returns its value or rethrows its own error. */
  async run<T>(fn: (job: Job) => T | Promise<T>): Promise<T> {
    this.start();
    let value: T;
    try {
      value = await fn(this);
    } catch (e) {
      // The job's own error is the one its caller must see, even when a strict push fails too.
      await this.finish(false).catch(() => undefined);
      throw e;
    }
    await this.finish(true);
    return value;
  }
}

export interface TimedOptions extends Omit<JobOptions, "stem" | "job"> {
  /** Default: the timed name. */
  job?: string;
}

/**
 * Times `fn` and pushes `<name>_duration_seconds`, `<name>_success` and the last success or failure
 * timestamp; returns what `fn` returns, rethrows what it throws.
 */
export function timed<T>(name: string, fn: () => T | Promise<T>, opts: TimedOptions): Promise<T> {
  return new Job({ ...opts, job: opts.job ?? name, stem: name }).run(fn);
}
