/** Instant queries against the upstream Prometheus's HTTP API (`/api/v1/query`), each under a timeout. */
import { firstLine } from "./command.ts";

export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

export interface VectorSample {
  labels: Record<string, string>;
  value: number;
}

export interface VectorAnswer {
  samples: VectorSample[];
  /** Result elements without a label set or a finite value; skipped, not fatal. */
  skipped: number;
}

/** The API URL for one query; `base` may carry a path prefix (Prometheus behind a proxy). */
export function queryUrl(base: string, promql: string): string {
  return `${base.replace(/\/+$/, "")}/api/v1/query?query=${encodeURIComponent(promql)}`;
}

function errorText(body: string): string {
  try {
    const doc = JSON.parse(body) as { error?: unknown };
    if (typeof doc.error === "string") return doc.error;
  } catch {
    // Not JSON (a proxy's HTML error page): fall through to the raw text.
  }
  return firstLine(body) || "empty body";
}

/** Turns a decoded `/api/v1/query` answer into samples; throws QueryError for anything but a vector. */
export function parseVectorAnswer(doc: unknown): VectorAnswer {
  const root = doc as { status?: unknown; error?: unknown; data?: { resultType?: unknown; result?: unknown } } | null;
  if (!root || typeof root !== "object") throw new QueryError("answer is not a JSON object");
  if (root.status !== "success") {
    throw new QueryError(`query failed: ${typeof root.error === "string" ? root.error : `status ${JSON.stringify(root.status)}`}`);
  }
  const data = root.data;
  if (!data || data.resultType !== "vector" || !Array.isArray(data.result)) {
    throw new QueryError(`expected a vector result, got ${JSON.stringify(data?.resultType ?? null)}`);
  }
  const samples: VectorSample[] = [];
  let skipped = 0;
  for (const item of data.result as unknown[]) {
    const el = item as { metric?: unknown; value?: unknown } | null;
    const pair = el?.value;
    const metric = el?.metric;
    const value = Array.isArray(pair) && typeof pair[1] === "string" ? Number(pair[1]) : NaN;
    if (!metric || typeof metric !== "object" || !Number.isFinite(value)) {
      skipped++;
      continue;
    }
    samples.push({ labels: metric as Record<string, string>, value });
  }
  return { samples, skipped };
}

export async function queryVector(base: string, promql: string, timeoutSeconds: number): Promise<VectorAnswer> {
  const url = queryUrl(base, promql);
  const signal = AbortSignal.timeout(timeoutSeconds * 1000);
  let body: string;
  let status: number;
  try {
    const res = await fetch(url, { signal, headers: { accept: "application/json" } });
    status = res.status;
    body = await res.text();
  } catch (e) {
    const err = e as Error;
    if (err.name === "TimeoutError" || signal.aborted) {
      throw new QueryError(`no answer from ${base} within ${timeoutSeconds}s`);
    }
    throw new QueryError(`cannot reach ${base}: ${err.message}`);
  }
  if (status < 200 || status > 299) throw new QueryError(`${base} answered HTTP ${status}: ${errorText(body)}`);
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new QueryError(`${base} answered something that is not JSON: ${errorText(body)}`);
  }
  return parseVectorAnswer(doc);
}
