/**
 * One Bun.serve + hono app per role address. The server binds before the role starts (so a taken port is
 * reported at once and /-/healthy answers during a slow start); /-/ready turns 200 once the role is up.
 */
import { Hono, type Context } from "hono";
import type { Server } from "bun";
import { isWildcardHost, type ListenAddress } from "../config/flag.ts";
import { escapeExposition, negotiateEscaping } from "../exposition/escaping.ts";
import { MetricSet } from "../exposition/writer.ts";
import type { Logger } from "../log.ts";
import { BadRequest, type AgentInfo, type RoleService } from "../role.ts";
import { basicAuth } from "./basic-auth.ts";
import { headAsGet } from "./head.ts";
import { landingPage, otherRoleLinks } from "./landing.ts";
import { addProcessMetrics } from "./process-metrics.ts";
import { withPublicPaths, type PublicPaths } from "./public-paths.ts";
import { bunTlsOptions, type WebConfig } from "./web-config.ts";

export class ListenError extends Error {}

export interface RoleServer {
  readonly url: string;
  /** Mounts the started role; /-/ready answers 200 from now on. */
  attach(service: RoleService): void;
  /** Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes what is left. */
  stop(graceMs?: number): Promise<void>;
}

export interface RoleServerOptions {
  role: string;
  title: string;
  address: ListenAddress;
  web: WebConfig;
  agent: AgentInfo;
  log: Logger;
  /** The role's own body limit (Role.maxRequestBodyBytes); the frame's default when absent. */
  maxRequestBodyBytes?: number;
  /** Route prefix and telemetry path; none and `/metrics` when absent. */
  paths?: PublicPaths;
  /** Leave process_* and agent_build_info out of /metrics (node_exporter's --web.disable-exporter-metrics). */
  disableOwnMetrics?: boolean;
  /**
   * Scrapes of the telemetry path served at once; one more is answered 503 as client_golang's handler does
   * (node_exporter's --web.max-requests). 0 or absent: no limit.
   */
  maxScrapesInFlight?: number;
  /** When set, PUT or POST /-/quit calls it (Pushgateway's --web.enable-lifecycle). */
  onQuit?: () => void;
  /** Listen on this Unix socket instead of `address` (behind a systemd-activated socket's relay). */
  unixSocket?: string;
}

const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
/**
 * Bun's own limit sits this far above the role's: the role, counting as it reads, refuses first and says why
 * in its 413; Bun answers a declared or streamed length beyond the slack with a bare 413 of its own.
 */
const BODY_LIMIT_SLACK = 64 * 1024;

const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

/**
 * The methods some route of some role answers. Any other that Bun hands over (PATCH, TRACE, WebDAV's, ...) is
 * one no resource here implements: 501, as RFC 9110 asks. Tokens Bun's parser does not know at all never
 * reach this: Bun closes those connections without an answer (oven-sh/bun#6556).
 */
const IMPLEMENTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"]);

export function buildInfo(out: MetricSet, agent: AgentInfo): void {
  out.gauge(
    "agent_build_info",
    "A metric with a constant '1' value labeled by version, revision, Bun version and the roles this agent runs.",
    1,
    { version: agent.version, revision: agent.revision, bun_version: agent.bunVersion, roles: agent.roles.join(",") },
  );
}

/** Hands every request to the role's routes, answering "starting" until the role is attached. */
interface Mount {
  service?: RoleService;
  readonly roleApp: Hono;
}

const STARTING = "Service Unavailable: starting\n";

/** A BadRequest from a handler is the client's error (400 with its message); anything else is ours (500). */
function errorHandler(log: Logger) {
  return (err: Error, c: Context) => {
    if (err instanceof BadRequest) return c.text(`${err.message}\n`, 400);
    log.error("request failed", { path: c.req.path, err: err.message });
    return c.text(`Internal Server Error: ${err.message}\n`, 500);
  };
}

/** The routes every address serves whatever its role: health, readiness and Pushgateway's lifecycle API. */
function frameRoutes(app: Hono, mount: Mount, opts: RoleServerOptions): void {
  app.use("*", async (c, next) => {
    if (!IMPLEMENTED_METHODS.has(c.req.method)) return c.text(`Not Implemented: method ${c.req.method} is not served here\n`, 501);
    await next();
  });
  if (opts.web.users.size > 0) app.use("*", basicAuth(opts.web.users));
  app.get("/-/healthy", (c) => c.text("OK\n"));
  app.get("/-/ready", (c) => {
    if (!mount.service) return c.text(STARTING, 503);
    const why = mount.service.unready?.();
    return why === undefined ? c.text("OK\n") : c.text(`Service Unavailable: ${why}\n`, 503);
  });
  // Pushgateway's lifecycle API: 403 until --web.enable-lifecycle turns it on.
  const quit = opts.onQuit;
  app.on(["PUT", "POST"], "/-/quit", (c) => {
    if (!quit) return c.text("Lifecycle API is not enabled.", 403);
    setTimeout(quit, 0);
    return c.text("Requesting termination... Goodbye!");
  });
  app.get("/-/quit", (c) => c.text("Only POST or PUT requests allowed.", 405));
}

/** /metrics: the agent's own families, then the role's, in the escaping the scrape asks for; gzip when welcome. */
function metricsRoute(app: Hono, mount: Mount, opts: RoleServerOptions): void {
  const telemetryPath = opts.paths?.telemetryPath ?? "/metrics";
  const maxScrapes = opts.maxScrapesInFlight ?? 0;
  let scrapesInFlight = 0;
  if (maxScrapes > 0) {
    app.get(telemetryPath, async (c, next) => {
      if (scrapesInFlight >= maxScrapes) return c.text(`Limit of concurrent requests reached (${maxScrapes}), try again later.\n`, 503);
      scrapesInFlight++;
      try {
        await next();
      } finally {
        scrapesInFlight--;
      }
    });
  }
  app.get(telemetryPath, async (c) => {
    const service = mount.service;
    if (!service) return c.text(STARTING, 503);
    const own = new MetricSet();
    if (!opts.disableOwnMetrics) {
      addProcessMetrics(own);
      buildInfo(own, opts.agent);
    }
    const escaping = service.utf8Names ? negotiateEscaping(c.req.header("accept")) : undefined;
    const contentType = escaping === undefined ? TEXT_FORMAT : `${TEXT_FORMAT}; escaping=${escaping}`;
    const text = (await service.collect(own, { query: new URL(c.req.url).searchParams })).render();
    const body = escaping === undefined ? text : escapeExposition(text, escaping);
    if (body.length > 1024 && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      return new Response(Bun.gzipSync(body, { level: 1 }), {
        headers: { "Content-Type": contentType, "Content-Encoding": "gzip", Vary: "Accept-Encoding" },
      });
    }
    return new Response(body, { headers: { "Content-Type": contentType } });
  });
}

/** Binds the address (or the Unix socket); a taken port is a ListenError that names the role. */
function listen(opts: RoleServerOptions, app: Hono): Server<undefined> {
  try {
    return Bun.serve({
      // No host means every interface, IPv6 and IPv4 alike, as node_exporter's ":9100" does; Bun's default
      // listener is dual-stack, where "0.0.0.0" would refuse IPv6 scrapers.
      ...(opts.unixSocket
        ? { unix: opts.unixSocket }
        : {
            hostname: opts.address.host === "" ? undefined : opts.address.host,
            port: opts.address.port,
            // Bun sets SO_REUSEPORT on some option sets, and then a second agent on a taken port starts too and
            // the kernel splits the connections between the two; one address must mean one agent.
            reusePort: false,
          }),
      fetch: opts.paths ? withPublicPaths(opts.paths, headAsGet(app.fetch)) : headAsGet(app.fetch),
      tls: opts.web.tls ? bunTlsOptions(opts.web.tls) : undefined,
      maxRequestBodySize: (opts.maxRequestBodyBytes ?? DEFAULT_MAX_BODY_BYTES) + BODY_LIMIT_SLACK,
      development: false,
      error: (err) => new Response(`Internal Server Error: ${err.message}\n`, { status: 500 }),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "EADDRINUSE" ? "address already in use" : err.message;
    throw new ListenError(`${opts.role} role cannot listen on ${opts.address.text}: ${why}`);
  }
}

/** The URL a local client reaches the server at: a wildcard address is reached on the loopback. */
function localUrl(opts: RoleServerOptions, port: number | undefined): string {
  const scheme = opts.web.tls ? "https" : "http";
  if (opts.unixSocket) return `${scheme}+unix://${opts.unixSocket}`;
  const host = isWildcardHost(opts.address.host) ? "127.0.0.1" : opts.address.host;
  return `${scheme}://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Mounts the role's routes, and the landing page at `/` unless the role brings a page of its own there. */
function attachRole(mount: Mount, s: RoleService, opts: RoleServerOptions): void {
  const { roleApp } = mount;
  s.routes?.(roleApp);
  if (!roleApp.routes.some((r) => r.path === "/" && (r.method === "GET" || r.method === "ALL"))) {
    roleApp.get("/", (c) =>
      c.html(
        landingPage({
          role: opts.role,
          title: opts.title,
          agent: opts.agent,
          links: s.links ?? [],
          others: otherRoleLinks(opts.agent, opts.role, c.req.header("host") ?? "localhost"),
        }),
      ),
    );
  }
  mount.service = s;
}

/**
 * Stops accepting, lets in-flight requests finish (up to `graceMs`), then closes what is left. Bun's graceful
 * stop also waits on connections with no request being answered (idle keep-alive, headers half sent), which
 * may never finish; only requests in flight are waited for. Closing rejects the graceful promise with an
 * AbortError, which is expected here and not worth a dump.
 */
async function stopServer(server: Server<undefined>, graceMs: number): Promise<void> {
  const graceful = server.stop(false).catch(() => {});
  const until = performance.now() + graceMs;
  while (server.pendingRequests > 0 && performance.now() < until) await Bun.sleep(10);
  await server.stop(true);
  await graceful;
}

export function startRoleServer(opts: RoleServerOptions): RoleServer {
  const mount: Mount = { roleApp: new Hono() };
  const app = new Hono();
  frameRoutes(app, mount, opts);
  metricsRoute(app, mount, opts);
  // Role routes are mounted on attach; until then, everything but the routes above is "starting".
  app.all("*", (c) => (mount.service ? mount.roleApp.fetch(c.req.raw, c.env) : c.text(STARTING, 503)));
  app.onError(errorHandler(opts.log));
  mount.roleApp.onError(errorHandler(opts.log));
  const server = listen(opts, app);
  return {
    url: localUrl(opts, server.port),
    attach: (s) => attachRole(mount, s, opts),
    stop: (graceMs = 4000) => stopServer(server, graceMs),
  };
}
