/**
 * One Bun.serve + hono app per role address. The server binds before the role starts (so a taken port is
 * reported at once and /-/healthy answers during a slow start); /-/ready turns 200 once the role is up.
 */
import { Hono } from "hono";
import type { Server } from "bun";
import type { ListenAddress } from "../config/flag.ts";
import { MetricSet } from "../exposition/writer.ts";
import type { Logger } from "../log.ts";
import { ScrapeQueryError, type AgentInfo, type RoleService } from "../role.ts";
import { basicAuth } from "./basic-auth.ts";
import { landingPage, otherRoleLinks } from "./landing.ts";
import { addProcessMetrics } from "./process-metrics.ts";
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
  /** Bodies above this are refused by Bun with 413 before any handler runs. */
  maxRequestBodyBytes?: number;
}

const TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

export function buildInfo(out: MetricSet, agent: AgentInfo): void {
  out.gauge(
    "agent_build_info",
    "A metric with a constant '1' value labeled by version, revision, Bun version and the roles this agent runs.",
    1,
    { version: agent.version, revision: agent.revision, bun_version: agent.bunVersion, roles: agent.roles.join(",") },
  );
}

export function startRoleServer(opts: RoleServerOptions): RoleServer {
  const { agent, log } = opts;
  let service: RoleService | undefined;
  const app = new Hono();
  if (opts.web.users.size > 0) app.use("*", basicAuth(opts.web.users));
  app.get("/-/healthy", (c) => c.text("OK\n"));
  app.get("/-/ready", (c) => (service ? c.text("OK\n") : c.text("Service Unavailable: starting\n", 503)));
  app.get("/metrics", async (c) => {
    if (!service) return c.text("Service Unavailable: starting\n", 503);
    const own = new MetricSet();
    addProcessMetrics(own);
    buildInfo(own, agent);
    let body: string;
    try {
      body = await service.metrics(own, new URL(c.req.url).searchParams);
    } catch (e) {
      if (!(e instanceof ScrapeQueryError)) throw e;
      return c.text(e.message + "\n", 400);
    }
    if (body.length > 1024 && /\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      return new Response(Bun.gzipSync(body, { level: 1 }), {
        headers: { "Content-Type": TEXT_FORMAT, "Content-Encoding": "gzip", Vary: "Accept-Encoding" },
      });
    }
    return new Response(body, { headers: { "Content-Type": TEXT_FORMAT } });
  });
  // Role routes are mounted on attach; until then, everything but the routes above is "starting".
  const roleApp = new Hono();
  app.all("*", (c) => (service ? roleApp.fetch(c.req.raw, c.env) : c.text("Service Unavailable: starting\n", 503)));
  app.onError((err, c) => {
    log.error("request failed", { path: c.req.path, err: err.message });
    return c.text(`Internal Server Error: ${err.message}\n`, 500);
  });

  let server: Server<undefined>;
  try {
    server = Bun.serve({
      // No host means every interface, IPv6 and IPv4 alike, as node_exporter's ":9100" does; Bun's default
      // listener is dual-stack, where "0.0.0.0" would refuse IPv6 scrapers.
      hostname: opts.address.host === "" ? undefined : opts.address.host,
      port: opts.address.port,
      fetch: app.fetch,
      tls: opts.web.tls ? bunTlsOptions(opts.web.tls) : undefined,
      maxRequestBodySize: opts.maxRequestBodyBytes ?? 64 * 1024 * 1024,
      development: false,
      error: (err) => new Response(`Internal Server Error: ${err.message}\n`, { status: 500 }),
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "EADDRINUSE" ? "address already in use" : err.message;
    throw new ListenError(`${opts.role} role cannot listen on ${opts.address.text}: ${why}`);
  }
  const scheme = opts.web.tls ? "https" : "http";
  const host = ["", "0.0.0.0", "::"].includes(opts.address.host) ? "127.0.0.1" : opts.address.host;
  const url = `${scheme}://${host.includes(":") ? `[${host}]` : host}:${server.port}`;

  return {
    url,
    attach(s) {
      s.routes?.(roleApp);
      if (!roleApp.routes.some((r) => r.path === "/" && (r.method === "GET" || r.method === "ALL"))) {
        roleApp.get("/", (c) =>
          c.html(
            landingPage({
              role: opts.role,
              title: opts.title,
              agent,
              links: s.links ?? [],
              others: otherRoleLinks(agent, opts.role, c.req.header("host") ?? "localhost"),
            }),
          ),
        );
      }
      service = s;
    },
    async stop(graceMs = 4000) {
      const graceful = server.stop(false);
      const timer = new Promise<"timeout">((r) => setTimeout(r, graceMs, "timeout").unref());
      if ((await Promise.race([graceful, timer])) === "timeout") await server.stop(true);
    },
  };
}
