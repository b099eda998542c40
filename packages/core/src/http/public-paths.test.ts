import { expect, test } from "bun:test";
import { publicPaths, withPublicPaths } from "./public-paths.ts";

test("the route prefix comes from --web.route-prefix, else the external URL's path, in Pushgateway's normal form", () => {
  const paths = (routePrefix: string, externalUrl: string, telemetryPath = "/metrics") => publicPaths({ routePrefix, externalUrl, telemetryPath });
  expect(paths("", "")).toBeUndefined();
  expect(paths("/", "http://h/")).toBeUndefined();
  expect(paths("pg/", "")).toEqual({ routePrefix: "/pg", linkPrefix: "/pg", telemetryPath: "/metrics" });
  expect(paths("", "https://h/a/b/")).toEqual({ routePrefix: "/a/b", linkPrefix: "/a/b", telemetryPath: "/metrics" });
  // A proxy that strips its prefix: routes at the root, links under the external path.
  expect(paths("/", "https://h/pg")).toEqual({ routePrefix: "", linkPrefix: "/pg", telemetryPath: "/metrics" });
  expect(paths("", "", "/m")).toEqual({ routePrefix: "", linkPrefix: "", telemetryPath: "/m" });
  expect(() => paths("", "", "m")).toThrow("--web.telemetry-path");
  expect(() => paths("", "not a url")).toThrow("--web.external-url");
});

test("requests lose the route prefix; links and redirects gain the link prefix; /metrics links follow the telemetry path", async () => {
  const seen: string[] = [];
  const app = (req: Request) => {
    const path = new URL(req.url).pathname;
    seen.push(path);
    if (path === "/go") return new Response(null, { status: 303, headers: { Location: "/there" } });
    return new Response(`<a href="/metrics">m</a><a href="/api/v1/status">s</a><a href="//other:9100/">o</a><button data-delete="/metrics/job/x">d</button><a href="?q=1">q</a>`, {
      headers: { "Content-Type": "text/html; charset=utf-8" },
    });
  };
  const fetch = withPublicPaths({ routePrefix: "/pg", linkPrefix: "/ext", telemetryPath: "/m" }, app);
  const page = await (await fetch(new Request("http://h/pg/"))).text();
  expect(page).toBe(`<a href="/ext/m">m</a><a href="/ext/api/v1/status">s</a><a href="//other:9100/">o</a><button data-delete="/ext/metrics/job/x">d</button><a href="?q=1">q</a>`);
  expect((await fetch(new Request("http://h/pg/go"))).headers.get("location")).toBe("/ext/there");
  expect((await fetch(new Request("http://h/pg"))).status).toBe(200);
  const root = await fetch(new Request("http://h/"));
  expect([root.status, root.headers.get("location")]).toEqual([302, "/ext/"]);
  expect((await fetch(new Request("http://h/pgx/metrics"))).status).toBe(404);
  expect((await fetch(new Request("http://h/metrics"))).status).toBe(404);
  expect(seen).toEqual(["/", "/go", "/"]);
});
