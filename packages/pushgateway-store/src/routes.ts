/** The Pushgateway HTTP API on a hono app: push paths, the JSON API, the admin wipe. */
import type { Context, Hono } from "hono";
import { BadRequest, type AgentInfo, type Logger, type NameValidation } from "@agent/core";
import { metricsResponse, statusResponse } from "./api.ts";
import { BodyBudget, readPushBody } from "./body.ts";
import { PushRejected } from "./push-rejected.ts";
import { parsePushPath } from "./grouping-key.ts";
import type { PushStore } from "./push-store.ts";
import type { TtlPolicy } from "./ttl.ts";

export interface RouteOptions {
  store: PushStore;
  ttl: TtlPolicy;
  maxBodyBytes: number;
  checkConsistency: boolean;
  enableAdminApi: boolean;
  /** Which metric and label names pushes may use (utf8 with --push.enable-utf8-names). */
  names: NameValidation;
  agent: AgentInfo;
  /** Shown by /api/v1/status. */
  flags: Record<string, string>;
  log: Logger;
}

const CORS: Record<string, string> = {
  "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, Origin",
  "Access-Control-Allow-Methods": "GET, POST, DELETE, OPTIONS",
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Expose-Headers": "Date",
  "Cache-Control": "no-cache, no-store, must-revalidate",
};

/** Plain-text error bodies end in a newline, as Go's http.Error writes them. */
function text(status: number, message: string): Response {
  return new Response(message.endsWith("\n") ? message : message + "\n", {
    status,
    headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
  });
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...CORS } });
}

export function pushRoutes(app: Hono, o: RouteOptions): void {
  const { store } = o;
  const bodies = new BodyBudget(o.maxBodyBytes);

  const handle = async (c: Context): Promise<Response> => {
    const method = c.req.method;
    const path = parsePushPath(new URL(c.req.url).pathname, o.names);
    if (!path.ok && path.status === 404) return text(404, path.message);
    if (method !== "PUT" && method !== "POST" && method !== "DELETE") return text(405, "Method Not Allowed");
    if (!path.ok) {
      store.stats.countReject("bad_path");
      return text(path.status, path.message);
    }
    try {
      if (method === "DELETE") {
        await store.delete(path.labels);
        return new Response(null, { status: 202 });
      }
      let ttl: number;
      try {
        ttl = o.ttl.ttlFor(path.labels, c.req.header("x-push-ttl"));
      } catch (e) {
        if (!(e instanceof BadRequest)) throw e;
        throw new PushRejected(e.message, "bad_ttl", 400, false);
      }
      const families = await readPushBody(c.req.raw, o.maxBodyBytes, bodies, o.names);
      await store.push({ labels: path.labels, families, replace: method === "PUT", ttl });
      return new Response(null, { status: o.checkConsistency ? 200 : 202 });
    } catch (e) {
      if (!(e instanceof PushRejected)) throw e;
      store.stats.countReject(e.reason);
      // Without the consistency check Pushgateway answers 202 before looking, even where it then records a failure.
      if (!o.checkConsistency && e.failure) return new Response(null, { status: 202 });
      o.log.debug("push refused", { path: c.req.path, reason: e.reason, err: e.message });
      return text(e.status, e.message);
    }
  };
  app.all("/metrics/*", handle);

  app.options("/api/v1/*", () => new Response(null, { status: 200, headers: CORS }));
  app.get("/api/v1/status", () => json(statusResponse(o.agent, o.flags)));
  app.get("/api/v1/metrics", () => json(metricsResponse(store.groupsSorted())));
  app.get("/api/v1/groups", () => json({ status: "success", data: store.list() }));
  // One group's metrics as text, addressed by its push path: `?path=/metrics/job/x/instance/y`.
  app.get("/api/v1/groups/metrics", (c) => {
    const path = parsePushPath(c.req.query("path") ?? "", o.names);
    if (!path.ok) return text(400, `path: ${path.message}`);
    const body = store.groupText(path.labels);
    if (body === undefined) return text(404, "no such group");
    return new Response(body, { headers: { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", ...CORS } });
  });
  if (o.enableAdminApi) {
    app.put("/api/v1/admin/wipe", async () => {
      let n: number;
      try {
        n = await store.wipe();
      } catch (e) {
        if (!(e instanceof PushRejected)) throw e;
        return text(e.status, e.message);
      }
      o.log.info("store wiped", { groups: n });
      return new Response(null, { status: 202 });
    });
  }
}
