/**
 * PushClient: push, pushAdd and delete against any Pushgateway-compatible store. Metrics never break the
 * job: every failure becomes one warning and a PushResult with ok=false, unless `strict` asks for a throw.
 */
import { readFile } from "node:fs/promises";
import { isTransient, PushError, type FailureKind } from "./errors.ts";
import { groupingPath, normalizeGatewayUrl, type GroupingKey } from "./grouping-key.ts";
import { renderMetrics, type Metrics } from "./metrics.ts";
import { Spool } from "./spool.ts";
import { standardLabels } from "./standard-labels.ts";
import { send, type AuthOptions, type HttpResponse, type PushMethod, type TlsOptions } from "./transport.ts";

export type { PushMethod };

export interface TlsFileOptions extends TlsOptions {
  /** Read at the first push; a missing file is reported like any other failure. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface PushClientOptions {
  /** Base URL of the store, e.g. `http://pushgateway:9091`. */
  gateway: string;
  job: string;
  /** Further grouping labels beside `job` (values with `/` or empty ones are base64-encoded in the URL). */
  groupingKey?: GroupingKey;
  /** Put in front of every structured metric name, e.g. "etl" -> `etl_rows_total`. */
  prefix?: string;
  /** Host, Kubernetes node and pod, SLURM job id, CI pipeline id on structured metrics. Default true. */
  standardLabels?: boolean | Readonly<Record<string, string>>;
  /** Whole budget of one call, retries included. Default 5. */
  timeoutSeconds?: number;
  /** Further attempts after a connection failure, timeout or 5xx, while the budget lasts. Default 3. */
  retries?: number;
  tls?: TlsFileOptions;
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
  /** Where undeliverable pushes wait for the next successful one (or `agent push --flush`). */
  spoolDir?: string;
  /** Throw a PushError instead of warning. */
  strict?: boolean;
  /** Where the one warning per failed call goes. Default: a line on stderr. */
  onWarning?: (message: string) => void;
}

export interface PushResult {
  ok: boolean;
  method: PushMethod;
  url: string;
  /** HTTP status of the last answer, when there was one. */
  status?: number;
  attempts: number;
  failure?: FailureKind;
  error?: string;
  /** The push was kept in the spool directory for later delivery. */
  spooled: boolean;
  /** Older spooled pushes delivered after this one succeeded. */
  spoolDelivered: number;
  /** Metrics left out for breaking the naming rules, with the reason. */
  dropped: string[];
}

export interface FlushResult {
  ok: boolean;
  delivered: number;
  remaining: number;
  error?: string;
}

const DEFAULT_TIMEOUT_SECONDS = 5;
const DEFAULT_RETRIES = 3;
const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 2000;
/** An attempt with less time than this left would only add a timeout to the log. */
const MIN_ATTEMPT_MS = 50;

function statusFailure(res: HttpResponse): PushError {
  const detail = res.body.trim().split("\n")[0]?.slice(0, 200) ?? "";
  const text = `HTTP ${res.status}${detail ? `: ${detail}` : ""}`;
  if (res.status >= 500 || res.status === 429) return new PushError("server", text, res.status);
  if (res.status === 401 || res.status === 403) return new PushError("rejected", `${text} (check the credentials)`, res.status);
  return new PushError("rejected", text, res.status);
}

function asPushError(e: unknown): PushError {
  if (e instanceof PushError) return e;
  return new PushError("config", e instanceof Error ? e.message : String(e));
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class PushClient {
  private readonly opts: PushClientOptions;
  private readonly spool: Spool | undefined;
  private tls?: Promise<TlsOptions>;

  constructor(opts: PushClientOptions) {
    this.opts = opts;
    this.spool = opts.spoolDir ? new Spool(opts.spoolDir) : undefined;
  }

  /** PUT: the group now holds exactly these metrics. */
  push(metrics: Metrics): Promise<PushResult> {
    return this.call("PUT", metrics);
  }

  /** POST: replaces only the metric families pushed, keeps the group's others. */
  pushAdd(metrics: Metrics): Promise<PushResult> {
    return this.call("POST", metrics);
  }

  /** DELETE: removes the whole group. */
  delete(): Promise<PushResult> {
    return this.call("DELETE");
  }

  /** Delivers spooled pushes for this gateway, oldest first; stops at the first that does not land. */
  async flushSpool(): Promise<FlushResult> {
    const out: FlushResult = { ok: true, delivered: 0, remaining: 0 };
    const spool = this.spool;
    if (!spool) return out;
    try {
      const gateway = normalizeGatewayUrl(this.opts.gateway);
      const entries = await spool.list(gateway);
      for (let i = 0; i < entries.length; i++) {
        const { record } = entries[i]!;
        try {
          await this.deliver(record.method, new URL(gateway + record.path), record.body);
          await spool.remove(entries[i]!);
          out.delivered++;
        } catch (e) {
          const err = asPushError(e);
          if (err.status === 400) {
            // The store will never take this one; keeping it would block every later flush.
            await spool.remove(entries[i]!);
            this.warn(`dropped spooled ${record.method} ${record.path}: ${err.message}`);
            continue;
          }
          out.ok = false;
          out.error = err.message;
          out.remaining = entries.length - i;
          break;
        }
      }
    } catch (e) {
      out.ok = false;
      out.error = asPushError(e).message;
    }
    return out;
  }

  private async call(method: PushMethod, metrics?: Metrics): Promise<PushResult> {
    const result: PushResult = { ok: false, method, url: this.opts.gateway, attempts: 0, spooled: false, spoolDelivered: 0, dropped: [] };
    let gateway: string | undefined;
    let path: string | undefined;
    let body: string | undefined;
    try {
      gateway = normalizeGatewayUrl(this.opts.gateway);
      path = groupingPath(this.opts.job, this.opts.groupingKey);
      result.url = gateway + path;
      if (metrics !== undefined) {
        const rendered = await renderMetrics(metrics, { prefix: this.opts.prefix, labels: this.labelsToAdd() });
        body = rendered.text;
        result.dropped = rendered.dropped;
        if (this.opts.strict && rendered.dropped.length) throw new PushError("config", rendered.dropped.join("; "));
      }
      const res = await this.deliver(method, new URL(result.url), body, (n) => (result.attempts = n));
      result.ok = true;
      result.status = res.status;
    } catch (e) {
      const err = asPushError(e);
      result.failure = err.kind;
      result.error = err.message;
      result.status = err.status;
      if (isTransient(err.kind) && this.spool && gateway && path) {
        try {
          await this.spool.save({ gateway, path, method, body, spooledAt: performance.timeOrigin + performance.now() });
          result.spooled = true;
        } catch (spoolErr) {
          result.error += `; could not keep it in spool ${this.opts.spoolDir}: ${(spoolErr as Error).message}`;
        }
      }
    }
    if (result.ok && this.spool && gateway && path) {
      await this.spool.drop(gateway, path);
      result.spoolDelivered = (await this.flushSpool()).delivered;
    }
    this.report(result);
    return result;
  }

  private report(result: PushResult): void {
    if (result.ok && result.dropped.length === 0) return;
    const what = `${result.method} ${result.url}`;
    const message = result.ok
      ? `${what}: left out ${result.dropped.length} metric(s): ${result.dropped.join("; ")}`
      : `${what} failed after ${result.attempts} attempt(s): ${result.error}` +
        (result.spooled ? ` (kept in spool ${this.opts.spoolDir})` : "") +
        (result.dropped.length ? `; also left out: ${result.dropped.join("; ")}` : "");
    if (this.opts.strict) throw new PushError(result.failure ?? "config", message, result.status);
    this.warn(message);
  }

  private warn(message: string): void {
    if (this.opts.onWarning) this.opts.onWarning(message);
    else console.warn(`push-client: warning: ${message}`);
  }

  private labelsToAdd(): Record<string, string> {
    const setting = this.opts.standardLabels ?? true;
    if (setting === false) return {};
    const labels = setting === true ? standardLabels() : { ...setting };
    // The grouping key names the group; a sample label of the same name would fight it.
    for (const name of ["job", ...Object.keys(this.opts.groupingKey ?? {})]) delete labels[name];
    return labels;
  }

  private resolveTls(): Promise<TlsOptions> {
    const t = this.opts.tls ?? {};
    const read = async (text: string | undefined, file: string | undefined, what: string) => {
      if (text !== undefined || file === undefined) return text;
      try {
        return await readFile(file, "utf8");
      } catch (e) {
        throw new PushError("config", `cannot read the ${what} file ${file}: ${(e as Error).message}`);
      }
    };
    this.tls ??= (async () => ({
      ca: await read(t.ca, t.caFile, "CA"),
      cert: await read(t.cert, t.certFile, "client certificate"),
      key: await read(t.key, t.keyFile, "client key"),
      serverName: t.serverName,
    }))();
    return this.tls;
  }

  /** Sends with retries and backoff for transient failures, all within the call's timeout. */
  private async deliver(method: PushMethod, url: URL, body: string | undefined, onAttempt?: (n: number) => void): Promise<HttpResponse> {
    const tls = url.protocol === "https:" ? await this.resolveTls() : undefined;
    const auth: AuthOptions = { basicAuth: this.opts.basicAuth, bearerToken: this.opts.bearerToken };
    const budgetMs = (this.opts.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
    const retries = this.opts.retries ?? DEFAULT_RETRIES;
    const deadline = performance.now() + budgetMs;
    for (let attempt = 1; ; attempt++) {
      onAttempt?.(attempt);
      let failure: PushError;
      try {
        const res = await send({ method, url, body, tls, auth, timeoutMs: Math.max(1, deadline - performance.now()) });
        if (res.status >= 200 && res.status < 300) return res;
        failure = statusFailure(res);
      } catch (e) {
        failure = asPushError(e);
      }
      const backoff = Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (attempt - 1)) * (0.8 + Math.random() * 0.4);
      const left = deadline - performance.now() - backoff;
      if (!isTransient(failure.kind) || attempt > retries || left < MIN_ATTEMPT_MS) throw failure;
      await sleep(backoff);
    }
  }
}
