/**
 * The config-file sections: `remote_write` (a list, with the key names and defaults of Prometheus's
 * `remote_write` section), `external_labels`, `remote_write_interval` and `remote_write_targets`. A key
 * Prometheus has and we do not support is refused by name, as is any other unknown key.
 */
import { readFileSync } from "node:fs";
import { ConfigError, flag, isValidLabelName, parseBytes, parseDuration, type FlagValues } from "@agent/core";
import { parseRelabelConfigs, type RelabelRule } from "./relabel.ts";

export interface TlsFiles {
  ca?: string;
  cert?: string;
  key?: string;
  serverName?: string;
  insecureSkipVerify: boolean;
}

export interface QueueConfig {
  /** Accepted for Prometheus compatibility; the queue lives on disk, bounded by maxBytes instead. */
  capacity: number;
  maxSamplesPerSend: number;
  /** Accepted for Prometheus compatibility; a collection is queued whole, so no batch waits to fill. */
  batchSendDeadline: number;
  /** Seconds. */
  minBackoff: number;
  maxBackoff: number;
  /** Bytes of compressed requests kept on disk; past it the oldest are dropped. */
  maxBytes: number;
}

export interface RemoteWriteConfig {
  url: string;
  /** The `remote_name` label and the queue's directory name. */
  name: string;
  /** Seconds. */
  remoteTimeout: number;
  headers: Record<string, string>;
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  authorization?: { type: string; credentials?: string; credentialsFile?: string };
  tls?: TlsFiles;
  writeRelabel: RelabelRule[];
  queue: QueueConfig;
}

/** The job and instance labels a Prometheus scrape of one role would set. */
export interface TargetLabels {
  job?: string;
  instance?: string;
}

type Raw = Record<string, unknown>;

function mapping(raw: unknown, where: string): Raw {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new ConfigError(`${where}: expected a mapping`);
  return raw as Raw;
}

/** Refuses keys outside `known`; Prometheus keys we do not implement are named as such. */
function onlyKeys(raw: Raw, known: readonly string[], where: string, prometheusOnly: readonly string[] = []): void {
  for (const key of Object.keys(raw)) {
    if (known.includes(key)) continue;
    if (prometheusOnly.includes(key)) throw new ConfigError(`${where}: "${key}" is not supported by this agent`);
    throw new ConfigError(`${where}: unknown key "${key}" (known: ${known.join(", ")})`);
  }
}

function str(raw: unknown, where: string): string {
  if (typeof raw !== "string") throw new ConfigError(`${where}: expected a string`);
  return raw;
}

function optStr(raw: unknown, where: string): string | undefined {
  return raw === undefined ? undefined : str(raw, where);
}

function seconds(raw: unknown, def: number, where: string): number {
  if (raw === undefined) return def;
  if (typeof raw === "number" && raw >= 0) return raw;
  try {
    return parseDuration(str(raw, where));
  } catch (e) {
    throw new ConfigError(`${where}: ${(e as Error).message}`);
  }
}

function positiveInt(raw: unknown, def: number, where: string): number {
  if (raw === undefined) return def;
  if (typeof raw !== "number" || !Number.isInteger(raw) || raw < 1) throw new ConfigError(`${where}: expected a whole number >= 1`);
  return raw;
}

function readable(path: string, where: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`${where}: cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Headers the sender sets itself; Prometheus refuses them in `headers` too. */
const RESERVED_HEADERS = ["authorization", "content-encoding", "content-length", "content-type", "host", "user-agent", "x-prometheus-remote-write-version"];

const PROMETHEUS_ONLY_KEYS = [
  "send_exemplars",
  "send_native_histograms",
  "protobuf_message",
  "metadata_config",
  "sigv4",
  "azuread",
  "google_iam",
  "oauth2",
  "proxy_url",
  "no_proxy",
  "proxy_from_environment",
  "proxy_connect_header",
  "follow_redirects",
  "enable_http2",
  "round_robin_dns",
  "bearer_token",
  "bearer_token_file",
];
const QUEUE_PROMETHEUS_ONLY = ["max_shards", "min_shards", "retry_on_http_429", "sample_age_limit"];

export const DEFAULT_QUEUE: QueueConfig = {
  capacity: 10000,
  maxSamplesPerSend: 2000,
  batchSendDeadline: 5,
  minBackoff: 0.03,
  maxBackoff: 5,
  maxBytes: 256 * 1024 * 1024,
};

function parseQueue(raw: unknown, where: string): QueueConfig {
  if (raw === undefined) return { ...DEFAULT_QUEUE };
  const q = mapping(raw, where);
  onlyKeys(q, ["capacity", "max_samples_per_send", "batch_send_deadline", "min_backoff", "max_backoff", "max_bytes"], where, QUEUE_PROMETHEUS_ONLY);
  let maxBytes = DEFAULT_QUEUE.maxBytes;
  if (q.max_bytes !== undefined) {
    maxBytes = typeof q.max_bytes === "number" ? q.max_bytes : parseBytes(str(q.max_bytes, `${where}.max_bytes`));
    if (!(maxBytes >= 1)) throw new ConfigError(`${where}.max_bytes: must be at least 1 byte`);
  }
  const out: QueueConfig = {
    capacity: positiveInt(q.capacity, DEFAULT_QUEUE.capacity, `${where}.capacity`),
    maxSamplesPerSend: positiveInt(q.max_samples_per_send, DEFAULT_QUEUE.maxSamplesPerSend, `${where}.max_samples_per_send`),
    batchSendDeadline: seconds(q.batch_send_deadline, DEFAULT_QUEUE.batchSendDeadline, `${where}.batch_send_deadline`),
    minBackoff: seconds(q.min_backoff, DEFAULT_QUEUE.minBackoff, `${where}.min_backoff`),
    maxBackoff: seconds(q.max_backoff, DEFAULT_QUEUE.maxBackoff, `${where}.max_backoff`),
    maxBytes,
  };
  if (out.minBackoff > out.maxBackoff) throw new ConfigError(`${where}: min_backoff is above max_backoff`);
  return out;
}

function parseTls(raw: unknown, where: string): TlsFiles {
  const t = mapping(raw, where);
  onlyKeys(t, ["ca_file", "cert_file", "key_file", "server_name", "insecure_skip_verify"], where, ["ca", "cert", "key", "min_version", "max_version"]);
  const file = (key: string) => {
    const path = optStr(t[key], `${where}.${key}`);
    return path === undefined ? undefined : readable(path, `${where}.${key}`);
  };
  if ((t.cert_file === undefined) !== (t.key_file === undefined)) throw new ConfigError(`${where}: cert_file and key_file go together`);
  if (t.insecure_skip_verify !== undefined && typeof t.insecure_skip_verify !== "boolean") {
    throw new ConfigError(`${where}.insecure_skip_verify: expected true or false`);
  }
  return {
    ca: file("ca_file"),
    cert: file("cert_file"),
    key: file("key_file"),
    serverName: optStr(t.server_name, `${where}.server_name`),
    insecureSkipVerify: t.insecure_skip_verify === true,
  };
}

/** Prometheus's default name: a short digest of what identifies the receiver. */
function defaultName(url: string): string {
  return new Bun.CryptoHasher("sha256").update(url).digest("hex").slice(0, 6);
}

function parseEntry(raw: unknown, i: number): RemoteWriteConfig {
  const where = `remote_write[${i}]`;
  const e = mapping(raw, where);
  onlyKeys(
    e,
    ["url", "name", "remote_timeout", "headers", "basic_auth", "authorization", "tls_config", "write_relabel_configs", "queue_config"],
    where,
    PROMETHEUS_ONLY_KEYS,
  );
  const url = str(e.url, `${where}.url`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError(`${where}.url: "${url}" is not a URL`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new ConfigError(`${where}.url: must be http:// or https://`);
  const name = e.name === undefined ? defaultName(url) : str(e.name, `${where}.name`);
  // The name is a directory under <storage.path>/remote-write.
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) throw new ConfigError(`${where}.name: "${name}" may hold only letters, digits, "_", "." and "-"`);

  const headers: Record<string, string> = {};
  if (e.headers !== undefined) {
    for (const [k, v] of Object.entries(mapping(e.headers, `${where}.headers`))) {
      if (RESERVED_HEADERS.includes(k.toLowerCase())) throw new ConfigError(`${where}.headers: "${k}" is set by the agent and may not be overridden`);
      headers[k] = str(v, `${where}.headers.${k}`);
    }
  }
  let basicAuth: RemoteWriteConfig["basicAuth"];
  if (e.basic_auth !== undefined) {
    const b = mapping(e.basic_auth, `${where}.basic_auth`);
    onlyKeys(b, ["username", "password", "password_file"], `${where}.basic_auth`, ["username_file"]);
    if (b.password !== undefined && b.password_file !== undefined) throw new ConfigError(`${where}.basic_auth: give password or password_file, not both`);
    const passwordFile = optStr(b.password_file, `${where}.basic_auth.password_file`);
    if (passwordFile !== undefined) readable(passwordFile, `${where}.basic_auth.password_file`);
    basicAuth = { username: str(b.username, `${where}.basic_auth.username`), password: optStr(b.password, `${where}.basic_auth.password`), passwordFile };
  }
  let authorization: RemoteWriteConfig["authorization"];
  if (e.authorization !== undefined) {
    const a = mapping(e.authorization, `${where}.authorization`);
    onlyKeys(a, ["type", "credentials", "credentials_file"], `${where}.authorization`);
    if (basicAuth) throw new ConfigError(`${where}: give basic_auth or authorization, not both`);
    if (a.credentials !== undefined && a.credentials_file !== undefined) throw new ConfigError(`${where}.authorization: give credentials or credentials_file, not both`);
    const credentialsFile = optStr(a.credentials_file, `${where}.authorization.credentials_file`);
    if (credentialsFile !== undefined) readable(credentialsFile, `${where}.authorization.credentials_file`);
    authorization = {
      type: a.type === undefined ? "Bearer" : str(a.type, `${where}.authorization.type`),
      credentials: optStr(a.credentials, `${where}.authorization.credentials`),
      credentialsFile,
    };
  }
  return {
    url,
    name,
    remoteTimeout: seconds(e.remote_timeout, 30, `${where}.remote_timeout`),
    headers,
    basicAuth,
    authorization,
    tls: e.tls_config === undefined ? undefined : parseTls(e.tls_config, `${where}.tls_config`),
    writeRelabel: e.write_relabel_configs === undefined ? [] : parseRelabelConfigs(e.write_relabel_configs, `${where}.write_relabel_configs`),
    queue: parseQueue(e.queue_config, `${where}.queue_config`),
  };
}

export function parseRemoteWrite(raw: unknown): RemoteWriteConfig[] {
  if (raw === null) return [];
  if (!Array.isArray(raw)) throw new ConfigError("expected a list of receivers ({url: ...})");
  const out = raw.map(parseEntry);
  const names = new Set<string>();
  for (const c of out) {
    if (names.has(c.name)) throw new ConfigError(`two receivers are named "${c.name}"; give each its own name`);
    names.add(c.name);
  }
  return out;
}

function parseLabelMap(raw: unknown, where: string): Record<string, string> {
  if (raw === null) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(mapping(raw, where))) {
    if (!isValidLabelName(k) || k.startsWith("__")) throw new ConfigError(`${where}: "${k}" is not a valid label name`);
    out[k] = str(v, `${where}.${k}`);
  }
  return out;
}

function parseTargets(raw: unknown): Record<string, TargetLabels> {
  const out: Record<string, TargetLabels> = {};
  for (const [role, v] of Object.entries(mapping(raw, "remote_write_targets"))) {
    const t = mapping(v, role);
    onlyKeys(t, ["job", "instance"], role);
    out[role] = { job: optStr(t.job, `${role}.job`), instance: optStr(t.instance, `${role}.instance`) };
  }
  return out;
}

export const remoteWriteFlags = {
  remoteWrite: flag.fileOnly<RemoteWriteConfig[]>(
    "remote_write",
    [],
    "Receivers to send every role's metrics to, as Prometheus's remote_write section: [{url: https://.../api/v1/push}].",
    parseRemoteWrite,
  ),
  externalLabels: flag.fileOnly<Record<string, string>>(
    "external_labels",
    {},
    "Labels added to every series sent by remote write, unless the series has them: {cluster: hpc-1}.",
    (raw) => parseLabelMap(raw, ""),
  ),
  interval: flag.duration("remote_write_interval", 15, "How often each role's metrics are collected and queued for remote write."),
  targets: flag.fileOnly<Record<string, TargetLabels>>(
    "remote_write_targets",
    {},
    "Per role, the job and instance labels remote write sets as a scrape would: {node: {job: node, instance: gpu07:9100}}; default job is the role name, instance <hostname>:<port>.",
    parseTargets,
  ),
};

export type RemoteWriteSettings = FlagValues<typeof remoteWriteFlags>;
