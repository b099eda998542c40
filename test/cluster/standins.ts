/**
 * Stand-in programs for the cluster role's tests: small shell scripts put on PATH in place of squeue or
 * getent, and a stand-in upstream Prometheus that answers /api/v1/query as the test says.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";

export interface StandinDir {
  dir: string;
  /** Writes an executable `#!/bin/sh` script called `name`; returns its path. */
  script(name: string, body: string): string;
  /** PATH with this directory first, for the child's environment. */
  path(): string;
  remove(): void;
}

export function standinDir(prefix = "cluster-standins-"): StandinDir {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    script(name, body) {
      const file = join(dir, name);
      writeFileSync(file, `#!/bin/sh\n${body}\n`);
      chmodSync(file, 0o755);
      return file;
    },
    path: () => `${dir}:${process.env.PATH ?? "/usr/bin:/bin"}`,
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface VectorRow {
  metric: Record<string, string>;
  value: number;
}

export type QueryHandler = (promql: string) => Response | Promise<Response>;

/** A JSON answer of /api/v1/query carrying these rows as an instant vector. */
export function vectorAnswer(rows: VectorRow[], time = Date.now() / 1000): Response {
  return Response.json({
    status: "success",
    data: { resultType: "vector", result: rows.map((r) => ({ metric: r.metric, value: [time, String(r.value)] })) },
  });
}

export interface StandinPrometheus {
  url: string;
  /** Each query received, in order. */
  queries: string[];
  handle(h: QueryHandler): void;
  stop(): void;
}

export function standinPrometheus(initial: QueryHandler = () => vectorAnswer([])): StandinPrometheus {
  let handler = initial;
  const queries: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    idleTimeout: 0,
    async fetch(req) {
      const url = new URL(req.url);
      if (url.pathname !== "/api/v1/query") return new Response("not found", { status: 404 });
      const q = url.searchParams.get("query") ?? "";
      queries.push(q);
      return handler(q);
    },
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    queries,
    handle: (h) => (handler = h),
    stop: () => server.stop(true),
  };
}

export interface Scrape {
  text: string;
  /** Wall-clock milliseconds the scrape took. */
  ms: number;
  /** Samples of one family as {labels, value}. */
  samples(name: string): { labels: Record<string, string>; value: number }[];
  /** The value of the one sample of `name` whose labels include `labels`, or undefined. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

export async function scrape(baseUrl: string): Promise<Scrape> {
  const start = performance.now();
  const res = await fetch(`${baseUrl}/metrics`);
  const text = await res.text();
  const ms = performance.now() - start;
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}: ${text}`);
  const families = parseText(text);
  const samples = (name: string) =>
    (families.find((f) => f.name === name)?.samples ?? []).map((s) => ({ labels: { ...s.labels }, value: s.value }));
  return {
    text,
    ms,
    samples,
    value(name, labels = {}) {
      const hit = samples(name).filter((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v));
      if (hit.length > 1) throw new Error(`${name}${JSON.stringify(labels)} matches ${hit.length} samples`);
      return hit[0]?.value;
    },
  };
}
