/**
 * Peers for the client tests: the real Pushgateway, our push role, tiny servers that misbehave on purpose,
 * and a private PKI made with openssl.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startAgent, waitForHttp } from "../harness/index.ts";

export interface Store {
  name: string;
  url: string;
  /** GET /metrics of the store (with the given fetch options for TLS/auth stores). */
  scrape(): Promise<string>;
  stop(): Promise<void>;
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface PushgatewayOptions {
  /** exporter-toolkit web config (TLS, basic auth) as YAML text. */
  webConfig?: string;
  /** Options for the readiness probe and scrape on a TLS/auth gateway. */
  fetchInit?: RequestInit & { tls?: { ca?: string } };
}

/** The real Pushgateway (Debian's prometheus-pushgateway), without persistence, on a free port. */
export async function startPushgateway(opts: PushgatewayOptions = {}): Promise<Store> {
  const port = await freePort();
  const dir = tempDir("pgw-");
  const args = ["prometheus-pushgateway", `--web.listen-address=127.0.0.1:${port}`, "--persistence.file="];
  if (opts.webConfig) {
    writeFileSync(join(dir.path, "web.yml"), opts.webConfig);
    args.push(`--web.config.file=${join(dir.path, "web.yml")}`);
  }
  const proc = Bun.spawn(args, { stdout: "ignore", stderr: "pipe" });
  const url = `${opts.webConfig?.includes("tls_server_config") ? "https" : "http"}://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/-/ready`, 15000, opts.fetchInit as RequestInit);
  } catch (e) {
    proc.kill();
    throw e;
  }
  return {
    name: "pushgateway",
    url,
    scrape: async () => (await fetch(`${url}/metrics`, opts.fetchInit)).text(),
    async stop() {
      proc.kill();
      await proc.exited;
      dir.remove();
    },
  };
}

/** Our push role, from the compiled agent. */
export async function startPushRole(): Promise<Store> {
  const agent = await startAgent({ roles: ["push"] });
  const url = agent.urls.push!;
  return {
    name: "agent push role",
    url,
    scrape: async () => (await fetch(`${url}/metrics`)).text(),
    async stop() {
      await agent.stop();
    },
  };
}

/** Which stores the "against both" tests run on: the real Pushgateway always, ours unless turned off. */
export const STORES: Array<[string, () => Promise<Store>]> = [
  ["pushgateway", startPushgateway],
  ...(process.env.CLIENT_TESTS_SKIP_PUSH_ROLE ? [] : ([["push role", startPushRole]] as Array<[string, () => Promise<Store>]>)),
];

/** Sample lines of one metric, as `name{labels} value` strings, from exposition text. */
export function samplesOf(text: string, name: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(name + "{") || l.startsWith(name + " "));
}

/** The value of the one sample of `name` whose line contains every `must` fragment. */
export function valueOf(text: string, name: string, ...must: string[]): number | undefined {
  const line = samplesOf(text, name).find((l) => must.every((m) => l.includes(m)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

export interface Pki {
  dir: string;
  caFile: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  remove(): void;
}

function openssl(dir: string, ...args: string[]): void {
  const p = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "ignore", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`openssl ${args.join(" ")}: ${p.stderr.toString()}`);
}

/** A private CA, a server certificate for 127.0.0.1/localhost and a client certificate, all signed by it. */
export function makePki(): Pki {
  const d = tempDir("pki-");
  const dir = d.path;
  openssl(dir, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=test private CA");
  writeFileSync(join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  for (const [who, ext] of [["server", ["-extfile", "server.ext"]], ["client", []]] as const) {
    openssl(dir, "req", "-newkey", "rsa:2048", "-nodes", "-keyout", `${who}.key`, "-out", `${who}.csr`, "-subj", `/CN=${who}`);
    openssl(dir, "x509", "-req", "-in", `${who}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", `${who}.pem`, "-days", "2", ...ext);
  }
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  return {
    dir,
    caFile: join(dir, "ca.pem"),
    ca: read("ca.pem"),
    serverCert: join(dir, "server.pem"),
    serverKey: join(dir, "server.key"),
    clientCert: join(dir, "client.pem"),
    clientKey: join(dir, "client.key"),
    remove: d.remove,
  };
}

/** A server that answers every request with `status`, counting requests, to test retries and 5xx handling. */
export function statusServer(status: number, delayMs = 0): { url: string; requests: () => number; stop(): void } {
  let count = 0;
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch() {
      count++;
      if (delayMs) await Bun.sleep(delayMs);
      return new Response(`status ${status} on purpose\n`, { status });
    },
  });
  return { url: `http://127.0.0.1:${server.port}`, requests: () => count, stop: () => server.stop(true) };
}
