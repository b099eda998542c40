/**
 * The paths the outside sees, as Pushgateway's --web.route-prefix and --web.telemetry-path set them. Behind
 * a prefix, a request under it reaches the app with the prefix taken off, `/` redirects to the prefix, and
 * anything else is 404. On the way out, the absolute paths the app writes into HTML attributes and
 * Location headers get the prefix (and `/metrics` becomes the telemetry path), so no page needs to know.
 */
import { ConfigError } from "../config/flag.ts";

export interface PublicPaths {
  /** "" (none) or `/a/b`: a leading slash, no trailing one. */
  prefix: string;
  /** Where /metrics is served, e.g. `/metrics`. */
  telemetryPath: string;
}

type Fetch<A extends unknown[]> = (req: Request, ...rest: A) => Response | Promise<Response>;

/** `--web.route-prefix`, else the path of `--web.external-url`, in the form PublicPaths.prefix takes. */
export function routePrefix(flagPrefix: string, externalUrl: string): string {
  let path = flagPrefix;
  if (path === "" && externalUrl !== "") {
    try {
      path = new URL(externalUrl).pathname;
    } catch {
      throw new ConfigError(`--web.external-url: "${externalUrl}" is not a URL (e.g. https://example.com/pushgateway/)`);
    }
  }
  if (path !== "" && !path.startsWith("/")) path = "/" + path;
  return path.replace(/\/+$/, "");
}

/** Attributes of the built-in pages that hold a path to this address. */
const PATH_ATTRIBUTES = ["href", "src", "action", "data-delete", "data-src"];

export function withPublicPaths<A extends unknown[]>(paths: PublicPaths, fetch: Fetch<A>): Fetch<A> {
  const { prefix, telemetryPath } = paths;
  const outward = (path: string) => prefix + (path === "/metrics" ? telemetryPath : path);
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
    if (prefix !== "") {
      if (url.pathname === "/") return new Response(null, { status: 302, headers: { Location: prefix + "/" } });
      if (url.pathname !== prefix && !url.pathname.startsWith(prefix + "/")) return new Response("404 page not found\n", { status: 404 });
      url.pathname = url.pathname.slice(prefix.length) || "/";
      req = new Request(url.href, req);
    }
    const res = await fetch(req, ...rest);
    const location = res.headers.get("location");
    if (isLocal(location)) res.headers.set("location", prefix + location);
    return (res.headers.get("content-type") ?? "").startsWith("text/html") ? rewriter.transform(res) : res;
  };
}
