/**
 * One HTTP request to the gateway over node:http/node:https, which both Node and Bun implement with the TLS
 * options a private CA or a client certificate needs (Bun's fetch has them too, Node's does not).
 */
import http from "node:http";
import https from "node:https";
import { PushError } from "./errors.ts";

export interface TlsOptions {
  /** PEM text of the CA bundle that signed the gateway's certificate (replaces the system roots). */
  ca?: string;
  /** PEM text of the client certificate and its key, for gateways that ask for one. */
  cert?: string;
  key?: string;
  /** The name to verify the certificate against when it differs from the URL's host. */
  serverName?: string;
}

export interface AuthOptions {
  basicAuth?: { username: string; password: string };
  bearerToken?: string;
}

export type PushMethod = "PUT" | "POST" | "DELETE";

export interface HttpRequest {
  method: PushMethod;
  url: URL;
  body?: string;
  timeoutMs: number;
  tls?: TlsOptions;
  auth?: AuthOptions;
}

export interface HttpResponse {
  status: number;
  body: string;
}

const USER_AGENT = "agent-push-client/0.1";
/**
 * The longest delay a timer takes (2^31-1 ms, about 24.8 days); a longer one fires after 1 ms instead. A
 * longer timeout is in effect no timeout, so it waits this long.
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Node's codes for a certificate the client refused or a handshake that failed. */
function isTlsError(code: string | undefined, message: string): boolean {
  if (!code) return /certificate|ssl|tls|handshake/i.test(message);
  return /CERT|^ERR_TLS|^ERR_SSL|^UNABLE_TO|^EPROTO$|SELF_SIGNED|^HOSTNAME_MISMATCH/.test(code);
}

function classify(err: NodeJS.ErrnoException, url: URL): PushError {
  const code = err.code;
  const suffix = code && !err.message.includes(code) ? ` (${code})` : "";
  if (isTlsError(code, err.message)) return new PushError("tls", `TLS error talking to ${url.host}: ${err.message}${suffix}`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN") return new PushError("network", `cannot resolve ${url.hostname} (${code})`);
  return new PushError("network", `cannot reach ${url.host}: ${err.message}${suffix}`);
}

function headersFor(req: HttpRequest): Record<string, string> {
  const headers: Record<string, string> = { "user-agent": USER_AGENT };
  if (req.body !== undefined) {
    headers["content-type"] = "text/plain; version=0.0.4; charset=utf-8";
    headers["content-length"] = String(Buffer.byteLength(req.body));
  }
  const auth = req.auth;
  if (auth?.basicAuth) {
    const pair = `${auth.basicAuth.username}:${auth.basicAuth.password}`;
    headers.authorization = "Basic " + Buffer.from(pair).toString("base64");
  } else if (auth?.bearerToken) {
    headers.authorization = "Bearer " + auth.bearerToken;
  }
  return headers;
}

/** Resolves with any HTTP status; rejects with a PushError for everything below HTTP. */
export function send(req: HttpRequest): Promise<HttpResponse> {
  const secure = req.url.protocol === "https:";
  const options: https.RequestOptions = {
    method: req.method,
    hostname: req.url.hostname.replace(/^\[|\]$/g, ""),
    port: req.url.port || (secure ? 443 : 80),
    path: req.url.pathname + req.url.search,
    headers: headersFor(req),
    agent: false,
  };
  if (secure && req.tls) {
    if (req.tls.ca) options.ca = req.tls.ca;
    if (req.tls.cert) options.cert = req.tls.cert;
    if (req.tls.key) options.key = req.tls.key;
    if (req.tls.serverName) options.servername = req.tls.serverName;
  }
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const request = (secure ? https : http).request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") })));
      res.on("error", (e) => finish(() => reject(classify(e, req.url))));
    });
    const timer = setTimeout(() => {
      finish(() => reject(new PushError("timeout", `no answer from ${req.url.host} within ${Math.round(req.timeoutMs)} ms`)));
      request.destroy();
    }, Math.min(req.timeoutMs, MAX_TIMER_MS));
    request.on("error", (e) => finish(() => reject(classify(e, req.url))));
    request.end(req.body);
  });
}
