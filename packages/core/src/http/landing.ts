/** The small page each address serves at `/` unless its role brings a page of its own. */
import { html, type Html } from "../pages/html.ts";
import { isWildcardHost } from "../config/flag.ts";
import type { AgentInfo, Link } from "../role.ts";

/** Links as list items, for a `<ul>`. */
export function linkList(links: readonly Link[]): Html {
  return html`${links.map((l) => html`<li><a href="${l.path}">${l.title}</a></li>`)}`;
}

export function otherRoleLinks(agent: AgentInfo, self: string, requestHost: string): Link[] {
  const host = requestHost.replace(/:\d+$/, "");
  return Object.entries(agent.addresses)
    .filter(([role]) => role !== self)
    .map(([role, address]) => {
      const m = /^(.*):(\d+)$/.exec(address);
      const h = m && !isWildcardHost(m[1]!) ? m[1] : host;
      return { path: `//${h}:${m?.[2] ?? ""}/`, title: `${role} role (${address})` };
    });
}

export function landingPage(opts: { role: string; title: string; agent: AgentInfo; links: Link[]; others: Link[] }): string {
  const { agent } = opts;
  const own = linkList([{ path: "/metrics", title: "Metrics" }, ...opts.links, { path: "/-/healthy", title: "Health" }, { path: "/-/ready", title: "Readiness" }]);
  const others = opts.others.length ? html`<h2>Other roles</h2><ul>${linkList(opts.others)}</ul>` : "";
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>agent: ${opts.role}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111;background:#fff}
a{color:#0645ad}code{background:#f3f3f3;padding:0 .2em}</style></head>
<body><main>
<h1>agent &mdash; ${opts.role} role</h1>
<p>${opts.title}</p>
<ul>${own}</ul>
${others}
<p><small>version <code>${agent.version}</code>, revision <code>${agent.revision}</code>, Bun ${agent.bunVersion}, roles ${agent.roles.join(", ")}</small></p>
</main></body></html>
`.toString();
}
