/**
 * The Prometheus exporter-toolkit web config file (`--web.config.file`): TLS server settings and bcrypt
 * basic-auth users. Paths inside are relative to the file's own directory, as exporter-toolkit resolves them.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { dirname, isAbsolute, join } from "node:path";
import { ConfigError } from "../config/flag.ts";

export type ClientAuthType =
  | "NoClientCert"
  | "RequestClientCert"
  | "RequireAnyClientCert"
  | "VerifyClientCertIfGiven"
  | "RequireAndVerifyClientCert";

const CLIENT_AUTH_TYPES: readonly ClientAuthType[] = [
  "NoClientCert",
  "RequestClientCert",
  "RequireAnyClientCert",
  "VerifyClientCertIfGiven",
  "RequireAndVerifyClientCert",
];

const TLS_VERSIONS = ["TLS10", "TLS11", "TLS12", "TLS13"] as const;
/** Bun's TLS server refuses TLS 1.0 and 1.1 handshakes whatever it is told (a protocol_version alert). */
const SPOKEN_TLS_VERSIONS = ["TLS12", "TLS13"] as const;
type TlsVersion = (typeof SPOKEN_TLS_VERSIONS)[number];

export interface TlsSettings {
  cert: string;
  key: string;
  ca?: string;
  clientAuth: ClientAuthType;
  minVersion: TlsVersion;
}

export interface WebConfig {
  tls?: TlsSettings;
  /** user -> bcrypt hash. Empty: no authentication. */
  users: Map<string, string>;
}

export const NO_WEB_CONFIG: WebConfig = { users: new Map() };

function fail(path: string, what: string): never {
  throw new ConfigError(`--web.config.file: ${path}: ${what}`);
}

function knownKeys(path: string, section: string, obj: Record<string, unknown>, keys: readonly string[]) {
  for (const k of Object.keys(obj)) if (!keys.includes(k)) fail(path, `unknown key "${section}${k}"`);
}

async function readPem(configPath: string, key: string, file: unknown): Promise<string> {
  if (typeof file !== "string" || file === "") fail(configPath, `"${key}" must name a file`);
  const full = isAbsolute(file) ? file : join(dirname(configPath), file);
  try {
    return await Bun.file(full).text();
  } catch (e) {
    fail(configPath, `cannot read ${key} ${full}: ${(e as Error).message}`);
  }
}

/** Bun.serve reports unusable PEM only as "Failed to create HTTP server"; say which file is wrong instead. */
function checkPem(path: string, tls: TlsSettings): void {
  const parse = <T>(key: string, what: string, make: () => T): T => {
    try {
      return make();
    } catch (e) {
      fail(path, `${key} is not ${what}: ${(e as Error).message}`);
    }
  };
  const cert = parse("cert_file", "a PEM certificate", () => new X509Certificate(tls.cert));
  const key = parse("key_file", "a PEM private key", () => createPrivateKey(tls.key));
  if (!cert.checkPrivateKey(key)) fail(path, "key_file does not hold the private key of cert_file");
  if (tls.ca !== undefined) parse("client_ca_file", "a PEM certificate", () => new X509Certificate(tls.ca!));
}

export async function loadWebConfig(path: string): Promise<WebConfig> {
  let doc: unknown;
  try {
    doc = Bun.YAML.parse(await Bun.file(path).text());
  } catch (e) {
    fail(path, (e as Error).message);
  }
  if (doc === null || doc === undefined) return NO_WEB_CONFIG;
  if (typeof doc !== "object" || Array.isArray(doc)) fail(path, "expected a mapping at the top");
  const top = doc as Record<string, unknown>;
  knownKeys(path, "", top, ["tls_server_config", "basic_auth_users", "http_server_config"]);

  const users = new Map<string, string>();
  const rawUsers = top.basic_auth_users;
  if (rawUsers !== undefined && rawUsers !== null) {
    if (typeof rawUsers !== "object" || Array.isArray(rawUsers)) fail(path, "basic_auth_users must map user names to bcrypt hashes");
    for (const [user, hash] of Object.entries(rawUsers as Record<string, unknown>)) {
      if (typeof hash !== "string" || !/^\$2[abxy]\$\d\d\$/.test(hash)) fail(path, `basic_auth_users.${user} is not a bcrypt hash`);
      users.set(user, hash);
    }
  }

  let tls: TlsSettings | undefined;
  const rawTls = top.tls_server_config;
  if (rawTls !== undefined && rawTls !== null) {
    if (typeof rawTls !== "object" || Array.isArray(rawTls)) fail(path, "tls_server_config must be a mapping");
    const t = rawTls as Record<string, unknown>;
    knownKeys(path, "tls_server_config.", t, [
      "cert_file",
      "key_file",
      "client_auth_type",
      "client_ca_file",
      "min_version",
      "max_version",
      "cipher_suites",
      "prefer_server_cipher_suites",
      "curve_preferences",
    ]);
    // exporter-toolkit settings Bun.serve cannot apply: ignoring them could leave weaker ciphers or curves
    // on than the file asks for, so they stop start-up instead.
    for (const k of ["max_version", "cipher_suites", "curve_preferences"]) {
      if (t[k] !== undefined) fail(path, `tls_server_config.${k} is not supported by this server; remove it`);
    }
    const clientAuth = (t.client_auth_type ?? "NoClientCert") as ClientAuthType;
    if (!CLIENT_AUTH_TYPES.includes(clientAuth)) fail(path, `client_auth_type "${clientAuth}" is not one of ${CLIENT_AUTH_TYPES.join(", ")}`);
    // Bun.serve can only ask for a certificate and accept anything, or require one that verifies; starting
    // with a weaker check than the file asks for would be worse than not starting.
    if (clientAuth === "RequireAnyClientCert" || clientAuth === "VerifyClientCertIfGiven") {
      fail(path, `client_auth_type ${clientAuth} is not supported by this server; use RequireAndVerifyClientCert or RequestClientCert`);
    }
    const minVersion = (t.min_version ?? "TLS12") as TlsVersion;
    if (!(TLS_VERSIONS as readonly string[]).includes(minVersion)) fail(path, `min_version "${minVersion}" is not one of ${TLS_VERSIONS.join(", ")}`);
    // Like max_version above: a version range the server cannot keep to stops start-up rather than being
    // narrowed in silence, here for clients the file says must be served and never would be.
    if (!SPOKEN_TLS_VERSIONS.includes(minVersion)) {
      fail(path, `tls_server_config.min_version ${minVersion} is not supported by this server, which speaks TLS 1.2 and 1.3 only; use TLS12 or TLS13`);
    }
    if (t.client_ca_file === undefined && clientAuth.includes("Verify")) fail(path, `client_auth_type ${clientAuth} needs client_ca_file`);
    tls = {
      cert: await readPem(path, "cert_file", t.cert_file),
      key: await readPem(path, "key_file", t.key_file),
      ca: t.client_ca_file === undefined ? undefined : await readPem(path, "client_ca_file", t.client_ca_file),
      clientAuth,
      minVersion,
    };
    checkPem(path, tls);
  }
  return { tls, users };
}

/**
 * TLS 1.3 cipher suites cannot be switched off in Bun's BoringSSL, and a cipher list is the only version
 * control Bun.serve honours (it ignores `secureOptions` and `minVersion`). Offering only pre-shared-key
 * suites, which a server without a PSK callback never selects, leaves TLS 1.3 the one protocol that can
 * complete a handshake.
 */
const TLS13_ONLY_CIPHERS = "PSK-AES128-CBC-SHA";

/**
 * Options for Bun.serve's `tls`. Bun never negotiates below TLS 1.2, so TLS12 needs nothing;
 * `rejectUnauthorized` there both requires a client certificate and verifies it against `ca`.
 */
export function bunTlsOptions(tls: TlsSettings): Bun.TLSOptions {
  return {
    cert: tls.cert,
    key: tls.key,
    ca: tls.ca,
    requestCert: tls.clientAuth !== "NoClientCert",
    rejectUnauthorized: tls.clientAuth === "RequireAndVerifyClientCert",
    ciphers: tls.minVersion === "TLS13" ? TLS13_ONLY_CIPHERS : undefined,
  };
}
