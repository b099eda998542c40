/**
 * A real VictoriaMetrics single-node server (Debian's `victoria-metrics`) on a free loopback port, as a
 * remote-write receiver: Prometheus's /api/v1/write and query API, with the 30 s latency offset and the
 * response cache off so that what was just written can be queried at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp, type FetchInit } from "./ports.ts";
import { waitForQuery, type PromSample } from "./prometheus.ts";

export interface RunningVictoriaMetrics {
  url: string;
  /** Where remote write goes. */
  writeUrl: string;
  query(promql: string): Promise<PromSample[]>;
  waitFor(promql: string, accept: (r: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export interface StartVictoriaMetricsOptions {
  /** Serve HTTPS with this certificate; `ca` is what the harness's own requests trust. */
  tls?: { cert: string; key: string; ca: string };
  /** Require HTTP basic auth on every endpoint. */
  basicAuth?: { username: string; password: string };
}

export async function startVictoriaMetrics(opts: StartVictoriaMetricsOptions = {}): Promise<RunningVictoriaMetrics> {
  const dir = mkdtempSync(join(tmpdir(), "victoria-metrics-"));
  const port = await freePort();
  const url = `${opts.tls ? "https" : "http"}://127.0.0.1:${port}`;
  const extra: string[] = [];
  if (opts.tls) extra.push("-tls", `-tlsCertFile=${opts.tls.cert}`, `-tlsKeyFile=${opts.tls.key}`);
  if (opts.basicAuth) extra.push(`-httpAuth.username=${opts.basicAuth.username}`, `-httpAuth.password=${opts.basicAuth.password}`);
  const init: FetchInit = {
    tls: opts.tls ? { ca: await Bun.file(opts.tls.ca).text() } : undefined,
    headers: opts.basicAuth ? { Authorization: `Basic ${btoa(`${opts.basicAuth.username}:${opts.basicAuth.password}`)}` } : undefined,
  };
  const proc = Bun.spawn(
    [
      "victoria-metrics",
      `-storageDataPath=${join(dir, "data")}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      "-search.latencyOffset=0s",
      "-search.disableCache",
      "-loggerLevel=ERROR",
      ...extra,
    ],
    { stdout: "ignore", stderr: "pipe", stdin: "ignore" },
  );
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/health`, 30000, init);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\nvictoria-metrics stderr:\n${await new Response(proc.stderr).text()}`);
  }
  async function query(promql: string): Promise<PromSample[]> {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`, init);
    const body = (await r.json()) as { status: string; error?: string; data: { result: PromSample[] } };
    if (body.status !== "success") throw new Error(`query ${promql} failed: ${body.error}`);
    return body.data.result;
  }
  return {
    url,
    writeUrl: `${url}/api/v1/write`,
    query,
    waitFor: (promql, accept, timeoutMs) => waitForQuery(query, promql, accept, timeoutMs),
    stop,
  };
}
