/**
 * The paths the outside sees, as Pushgateway's --web.route-prefix, --web.external-url and
 * --web.telemetry-path set them. Behind a route prefix, a request under it reaches the app with the prefix
 * taken off, `/` redirects into it, and anything else is 404. On the way out, the absolute paths the app
 * writes into HTML attributes and Location headers get the link prefix (the external URL's path, which a
 * proxy that strips its prefix makes differ from the route prefix), and `/metrics` becomes the telemetry
 * path, so no page needs to know.
 */
import { ConfigError } from "../config/flag.ts";
import type { Fetch } from "./head.ts";

export interface PublicPaths {
  /** Where requests arrive: "" (none) or `/a/b`, a leading slash and no trailing one. */
  routePrefix: string;
  /** What links and redirects start with, in the same form. */
  linkPrefix: string;
  /** Where /metrics is served, e.g. `/metrics`. */
  telemetryPath: string;
}

/** Pushgateway's normal form: "/" is no prefix; otherwise a leading slash and no trailing one. */
function normalPrefix(path: string): string {
  if (path === "" || path === "/") return "";
  return (path.startsWith("/") ? path : "/" + path).replace(/\/+$/, "");
}

/**
 * The paths from the flags: the route prefix is --web.route-prefix, else the path of --web.external-url;
 * links use the external URL's path where one is given. Undefined when everything is at its default.
 */
export function publicPaths(flags: { routePrefix: string; externalUrl: string; telemetryPath: string }): PublicPaths | undefined {
  const { telemetryPath } = flags;
  if (!telemetryPath.startsWith("/")) throw new ConfigError(`--web.telemetry-path: "${telemetryPath}" must start with /`);
  let externalPath: string | undefined;
  if (flags.externalUrl !== "") {
    try {
      externalPath = normalPrefix(new URL(flags.externalUrl).pathname);
    } catch {
      throw new ConfigError(`--web.external-url: "${flags.externalUrl}" is not a URL (e.g. https://example.com/pushgateway/)`);
    }
  }
  const routePrefix = flags.routePrefix !== "" ? normalPrefix(flags.routePrefix) : (externalPath ?? "");
  const linkPrefix = externalPath ?? routePrefix;
  if (routePrefix === "" && linkPrefix === "" && telemetryPath === "/metrics") return undefined;
  return { routePrefix, linkPrefix, telemetryPath };
}

/** Attributes of the built-in pages that hold a path to this address. */
const PATH_ATTRIBUTES = ["href", "src", "action", "data-delete", "data-src"];

export function withPublicPaths<A extends unknown[]>(paths: PublicPaths, fetch: Fetch<A>): Fetch<A> {
  const { routePrefix, linkPrefix, telemetryPath } = paths;
  const outward = (path: string) => linkPrefix + (path === "/metrics" ? telemetryPath : path);
  const isLocal = (v: string | null): v is string => v !== null && v.startsWith("/") && !v.startsWith("//");
  const rewriter = new HTMLRewriter().on(PATH_ATTRIBUTES.map((a) => `[${a}]`).join(","), {
    element(el) {
      for (const a of PATH_ATTRIBUTES) {
        const v = el.getAttribute(a);
        if (isLocal(v)) el.setAttribute(a, outward(v));
      }
    },
  });
  return async (req, ...rest) => {
    const url = new URL(req.url);
    if (routePrefix !== "") {
      if (url.pathname === "/") return new Response(null, { status: 302, headers: { Location: linkPrefix + "/" } });
      if (url.pathname !== routePrefix && !url.pathname.startsWith(routePrefix + "/")) return new Response("404 page not found\n", { status: 404 });
      url.pathname = url.pathname.slice(routePrefix.length) || "/";
      req = new Request(url.href, req);
    }
    const res = await fetch(req, ...rest);
    const location = res.headers.get("location");
    if (isLocal(location)) res.headers.set("location", linkPrefix + location);
    return (res.headers.get("content-type") ?? "").startsWith("text/html") ? rewriter.transform(res) : res;
  };
}
