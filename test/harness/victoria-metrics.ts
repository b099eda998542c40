/**
 * A real VictoriaMetrics single-node server (Debian's `victoria-metrics`) on a free loopback port, as a
 * remote-write receiver: Prometheus's /api/v1/write and query API, with the 30 s latency offset and the
 * response cache off so that what was just written can be queried at once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp } from "./ports.ts";
import { waitForQuery, type PromSample } from "./prometheus.ts";

export interface RunningVictoriaMetrics {
  url: string;
  /** Where remote write goes. */
  writeUrl: string;
  query(promql: string): Promise<PromSample[]>;
  waitFor(promql: string, accept: (r: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export async function startVictoriaMetrics(): Promise<RunningVictoriaMetrics> {
  const dir = mkdtempSync(join(tmpdir(), "victoria-metrics-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn(
    [
      "victoria-metrics",
      `-storageDataPath=${join(dir, "data")}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      "-search.latencyOffset=0s",
      "-search.disableCache",
      "-loggerLevel=ERROR",
    ],
    { stdout: "ignore", stderr: "pipe", stdin: "ignore" },
  );
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/health`, 30000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\nvictoria-metrics stderr:\n${await new Response(proc.stderr).text()}`);
  }
  async function query(promql: string): Promise<PromSample[]> {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
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
