/**
 * etcd 3.4's JSON gateway (/v3/kv/*, /v3/lease/*, /v3/watch) over fetch: requests fail over from one endpoint
 * to the next, and a watch's stream is read as the messages it carries, one JSON object a line.
 */
import { readFileSync } from "node:fs";
import { PushRejected } from "../push-rejected.ts";
import { StorageFailure } from "../storage-failure.ts";

export interface KeyValue {
  key: string;
  value?: string;
  mod_revision?: string;
}
export interface WatchEvent {
  type?: "PUT" | "DELETE";
  kv: KeyValue;
}
export interface Header {
  revision?: string;
}
export interface WatchResult {
  created?: boolean;
  canceled?: boolean;
  compact_revision?: string;
  cancel_reason?: string;
  events?: WatchEvent[];
}
export interface WatchMessage {
  result?: WatchResult;
  error?: { message?: string };
}

export interface EtcdEndpoints {
  endpoints: readonly string[];
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

const REQUEST_TIMEOUT_MS = 5000;

/** Keys and values travel base64-encoded. */
export const b64 = (s: string) => Buffer.from(s).toString("base64");
export const text = (s: string | undefined) => Buffer.from(s ?? "", "base64").toString();

/** The first key after every key that starts with `prefix`, as etcd's range_end wants it. */
export function prefixEnd(prefix: string): string {
  const bytes = Buffer.from(prefix);
  bytes[bytes.length - 1]!++;
  return bytes.toString("base64");
}

export class EtcdClient {
  private readonly endpoints: readonly string[];
  private readonly tls: { ca?: string; cert?: string; key?: string } | undefined;
  /** The endpoint that answered last; requests and watches start there. */
  private endpoint = 0;

  constructor(opts: EtcdEndpoints) {
    if (opts.endpoints.length === 0) throw new Error("--push.etcd.endpoints names no endpoint");
    this.endpoints = opts.endpoints;
    const read = (f: string | undefined) => (f ? readFileSync(f, "utf8") : undefined);
    this.tls = opts.caFile || opts.certFile ? { ca: read(opts.caFile), cert: read(opts.certFile), key: read(opts.keyFile) } : undefined;
  }

  /**
   * POSTs to the first endpoint that answers, starting with the last one that did. A network error or a
   * 5xx moves on to the next; when none answers, a StorageFailure.
   */
  async call<T>(path: string, body: unknown): Promise<T & { header?: Header }> {
    const { endpoints } = this;
    let why = "";
    for (let i = 0; i < endpoints.length; i++) {
      const url = endpoints[this.endpoint]! + path;
      try {
        const res = await fetch(url, { method: "POST", body: JSON.stringify(body), signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), tls: this.tls });
        if (res.ok) return (await res.json()) as T & { header?: Header };
        why = `${url}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`;
        // etcd's own limits on a request (--max-request-bytes, its gRPC message limit) refuse this change only.
        if (/too large|larger than max/.test(why)) {
          throw new PushRejected(`etcd refused the change as too large (${why}); a group must fit etcd's --max-request-bytes`, "too_large_for_etcd", 413, false);
        }
        if (res.status < 500) throw new StorageFailure("other", `etcd refused ${path}: ${why}`);
      } catch (e) {
        if (e instanceof StorageFailure || e instanceof PushRejected) throw e;
        why = `${url}: ${(e as Error).message}`;
      }
      this.next();
    }
    throw new StorageFailure("unreachable", `no etcd endpoint answers (${why})`);
  }

  /** Moves on to the next endpoint (after a watch on this one was lost). */
  next(): void {
    this.endpoint = (this.endpoint + 1) % this.endpoints.length;
  }

  /**
   * Opens a watch (`create_request`) on the current endpoint and yields its messages until the stream ends
   * or `signal` cuts it (which throws).
   */
  async *watch(createRequest: unknown, signal: AbortSignal): AsyncGenerator<WatchMessage> {
    const res = await fetch(this.endpoints[this.endpoint] + "/v3/watch", {
      method: "POST",
      body: JSON.stringify({ create_request: createRequest }),
      signal,
      tls: this.tls,
      // A quiet watch is a healthy one (Bun would cut it after 5 idle minutes); the store's probe finds dead ones.
      timeout: false,
    });
    if (!res.ok || !res.body) throw new Error(`etcd watch: HTTP ${res.status}`);
    const decoder = new TextDecoder();
    let buffered = "";
    for await (const chunk of res.body) {
      buffered += decoder.decode(chunk, { stream: true });
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.trim()) yield JSON.parse(line) as WatchMessage;
      }
    }
  }
}
