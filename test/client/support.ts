/**
 * Peers for the client tests: the real Pushgateway, our push role, tiny servers that misbehave on purpose,
 * and a private PKI made with openssl.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent, startPushgateway as startRealPushgateway, type FetchInit } from "../harness/index.ts";
import { makeTestPki, type TestPki } from "../harness/tls.ts";

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

export interface StoreOptions {
  /** exporter-toolkit web config (TLS, basic auth) as YAML text; both stores read the same format. */
  webConfig?: string;
  /** Fetch options for the readiness probe and scrapes of a TLS or auth store (CA, Authorization). */
  fetchInit?: FetchInit;
  /** A fixed port (the real Pushgateway only), for tests where the store comes back at the same URL. */
  port?: number;
}

function writeWebConfig(dir: string, opts: StoreOptions): { path?: string; scheme: "http" | "https" } {
  if (!opts.webConfig) return { scheme: "http" };
  const path = join(dir, "web.yml");
  writeFileSync(path, opts.webConfig);
  return { path, scheme: opts.webConfig.includes("tls_server_config") ? "https" : "http" };
}

/** The real Pushgateway (Debian's prometheus-pushgateway), without persistence. */
export async function startPushgateway(opts: StoreOptions = {}): Promise<Store> {
  const pg = await startRealPushgateway({ port: opts.port, webConfig: opts.webConfig, probe: opts.fetchInit });
  return {
    name: "pushgateway",
    url: pg.url,
    scrape: async () => (await fetch(`${pg.url}/metrics`, opts.fetchInit)).text(),
    stop: () => pg.stop(),
  };
}

/** Our push role, from the compiled agent ($AGENT_BIN). */
export async function startPushRole(opts: StoreOptions = {}): Promise<Store> {
  const dir = tempDir("pushrole-");
  const web = writeWebConfig(dir.path, opts);
  const agent = await startAgent({
    roles: ["push"],
    args: web.path ? [`--web.config.file=${web.path}`] : [],
    scheme: web.scheme,
    probe: opts.fetchInit,
  }).catch((e) => {
    dir.remove();
    throw e;
  });
  const url = agent.urls.push!;
  return {
    name: "push role",
    url,
    scrape: async () => (await fetch(`${url}/metrics`, opts.fetchInit)).text(),
    async stop() {
      await agent.stop();
      dir.remove();
    },
  };
}

export type StartStore = (opts?: StoreOptions) => Promise<Store>;

/** The stores every "against both" test runs on. CLIENT_TESTS_STORES=pushgateway limits them. */
export const STORES: Array<[string, StartStore]> = (
  [
    ["pushgateway", startPushgateway],
    ["push role", startPushRole],
  ] as Array<[string, StartStore]>
).filter(([name]) => !process.env.CLIENT_TESTS_STORES || process.env.CLIENT_TESTS_STORES.split(",").includes(name));

/** Sample lines of one metric, as `name{labels} value` strings, from exposition text. */
export function samplesOf(text: string, name: string): string[] {
  return text.split("\n").filter((l) => l.startsWith(name + "{") || l.startsWith(name + " "));
}

/** The value of the one sample of `name` whose line contains every `must` fragment. */
export function valueOf(text: string, name: string, ...must: string[]): number | undefined {
  const line = samplesOf(text, name).find((l) => must.every((m) => l.includes(m)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** The harness's test PKI, with the CA also as PEM text for clients that take it inline. */
export interface Pki extends TestPki {
  caFile: string;
  ca: string;
}

export function makePki(): Pki {
  const pki = makeTestPki();
  return { ...pki, caFile: pki.caCert, ca: readFileSync(pki.caCert, "utf8") };
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

/** exporter-toolkit web config for a store behind TLS signed by `pki`, optionally asking for client certs. */
export function tlsWebConfig(pki: Pki, requireClientCert = false): string {
  let yaml = `tls_server_config:\n  cert_file: ${pki.serverCert}\n  key_file: ${pki.serverKey}\n`;
  if (requireClientCert) yaml += `  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${pki.caFile}\n`;
  return yaml;
}

/** exporter-toolkit web config with one basic-auth user. */
export async function basicAuthWebConfig(user: string, password: string): Promise<string> {
  const hash = await Bun.password.hash(password, { algorithm: "bcrypt", cost: 4 });
  return `basic_auth_users:\n  ${user}: '${hash}'\n`;
}
