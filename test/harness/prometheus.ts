/**
 * A real Prometheus server (Debian's `prometheus`) for end-to-end tests: 1 s scrape and evaluation interval,
 * its own temp storage, on a free loopback port.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp } from "./ports.ts";

export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  /** Instant query; returns the vector result (scalars come back as one sample with no labels). */
  query(promql: string): Promise<PromSample[]>;
  /** Re-runs `promql` until `accept(result)` holds or `timeoutMs` passes; returns the accepted result. */
  waitFor(promql: string, accept: (r: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** The targets API's active targets. */
  targets(): Promise<Array<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }>>;
  /**
   * Replaces `scrape_configs` and reloads (for targets whose address is known only after Prometheus runs,
   * such as an agent whose cluster role queries this Prometheus).
   */
  reload(scrapeConfigs: object[]): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** Entries of `scrape_configs`, as objects (JSON is valid YAML). */
  scrapeConfigs: object[];
  ruleFiles?: string[];
  extraArgs?: string[];
  /** A fixed port, for a server that stops and comes back at the same URL; a free one otherwise. */
  port?: number;
  /** Where the TSDB lives, kept on stop (the caller removes it), so a restarted server has its data; a temp dir otherwise. */
  storagePath?: string;
}

/** Re-runs `promql` through `query` until `accept(result)` holds or `timeoutMs` passes; returns the accepted result. */
export async function waitForQuery(
  query: (promql: string) => Promise<PromSample[]>,
  promql: string,
  accept: (r: PromSample[]) => boolean,
  timeoutMs = 20000,
): Promise<PromSample[]> {
  const until = Date.now() + timeoutMs;
  let last: PromSample[] = [];
  while (Date.now() < until) {
    last = await query(promql);
    if (accept(last)) return last;
    await Bun.sleep(250);
  }
  throw new Error(`timed out waiting for ${promql}; last result: ${JSON.stringify(last)}`);
}

export async function startPrometheus(opts: StartPrometheusOptions): Promise<RunningPrometheus> {
  const dir = mkdtempSync(join(tmpdir(), "prometheus-test-"));
  const port = opts.port ?? (await freePort());
  const writeConfig = (scrapeConfigs: object[]) => {
    const config = {
      global: { scrape_interval: "1s", evaluation_interval: "1s", scrape_timeout: "1s" },
      rule_files: opts.ruleFiles ?? [],
      scrape_configs: scrapeConfigs,
    };
    writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config, null, 2));
  };
  writeConfig(opts.scrapeConfigs);
  const url = `http://127.0.0.1:${port}`;
  const proc = Bun.spawn(
    [
      "prometheus",
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${opts.storagePath ?? join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      "--web.enable-lifecycle",
      ...(opts.extraArgs ?? []),
    ],
    { stdout: "pipe", stderr: "pipe", stdin: "ignore" },
  );
  const out: string[] = [];
  const dec = new TextDecoder();
  (async () => {
    for await (const c of proc.stderr) out.push(dec.decode(c, { stream: true }));
  })();
  (async () => {
    for await (const c of proc.stdout) out.push(dec.decode(c, { stream: true }));
  })();
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/-/ready`, 30000);
  } catch (e) {
    await stop();
    throw new Error(`${(e as Error).message}\nprometheus output:\n${out.join("")}`);
  }

  async function query(promql: string): Promise<PromSample[]> {
    const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const text = await r.text();
    let body: { status: string; error?: string; data: { resultType: string; result: unknown } };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`query ${promql}: HTTP ${r.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (body.status !== "success") throw new Error(`query ${promql} failed: ${body.error}`);
    if (body.data.resultType === "scalar") return [{ metric: {}, value: body.data.result as [number, string] }];
    return body.data.result as PromSample[];
  }

  return {
    url,
    query,
    waitFor: (promql, accept, timeoutMs) => waitForQuery(query, promql, accept, timeoutMs),
    async targets() {
      const r = await fetch(`${url}/api/v1/targets`);
      const body = (await r.json()) as { data: { activeTargets: Array<{ labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string }> } };
      return body.data.activeTargets;
    },
    async reload(scrapeConfigs) {
      writeConfig(scrapeConfigs);
      const r = await fetch(`${url}/-/reload`, { method: "POST" });
      if (!r.ok) throw new Error(`prometheus reload failed: HTTP ${r.status} ${await r.text()}`);
    },
    output: () => out.join(""),
    stop,
  };
}
