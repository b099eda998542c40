/**
 * The real Pushgateway (Debian's `prometheus-pushgateway`) on a free port: the oracle of the push role's
 * differential tests, a store the client tests push to, and the push benchmark's other side.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp, type FetchInit } from "./ports.ts";

export interface StartPushgatewayOptions {
  /** Further flags, e.g. `--persistence.file=...` (none by default: metrics live in memory only). */
  args?: string[];
  /** A fixed port, for tests where the gateway comes back at the same URL; a free one otherwise. */
  port?: number;
  /** exporter-toolkit web config (TLS, basic auth) as YAML text. */
  webConfig?: string;
  /** Options for the readiness probe of a TLS or auth gateway (CA, Authorization). */
  probe?: FetchInit;
}

export interface RunningPushgateway {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startPushgateway(opts: StartPushgatewayOptions = {}): Promise<RunningPushgateway> {
  const port = opts.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "pushgateway-"));
  const extra = opts.args ?? [];
  const args = ["prometheus-pushgateway", `--web.listen-address=127.0.0.1:${port}`, "--web.enable-admin-api", "--log.level=error"];
  // Debian's default persistence file is one shared path under /var/lib: every gateway would start with
  // what the last one stored.
  if (!extra.some((a) => a.startsWith("--persistence.file"))) args.push("--persistence.file=");
  if (opts.webConfig) {
    writeFileSync(join(dir, "web.yml"), opts.webConfig);
    args.push(`--web.config.file=${join(dir, "web.yml")}`);
  }
  const proc = Bun.spawn([...args, ...extra], { cwd: dir, stdout: "ignore", stderr: "ignore" });
  const url = `${opts.webConfig?.includes("tls_server_config") ? "https" : "http"}://127.0.0.1:${port}`;
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitForHttp(`${url}/-/ready`, 15000, opts.probe);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid: proc.pid, stop };
}
