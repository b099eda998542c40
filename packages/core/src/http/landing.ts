/** The small page each address serves at `/` unless its role brings a page of its own. */
import { isWildcardHost } from "../config/flag.ts";
import type { AgentInfo, Link } from "../role.ts";

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

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
  const list = (links: Link[]) => links.map((l) => `<li><a href="${esc(l.path)}">${esc(l.title)}</a></li>`).join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>agent: ${esc(opts.role)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#111;background:#fff}
a{color:#0645ad}code{background:#f3f3f3;padding:0 .2em}</style></head>
<body><main>
<h1>agent &mdash; ${esc(opts.role)} role</h1>
<p>${esc(opts.title)}</p>
<ul>${list([{ path: "/metrics", title: "Metrics" }, ...opts.links, { path: "/-/healthy", title: "Health" }, { path: "/-/ready", title: "Readiness" }])}</ul>
${opts.others.length ? `<h2>Other roles</h2><ul>${list(opts.others)}</ul>` : ""}
<p><small>version <code>${esc(agent.version)}</code>, revision <code>${esc(agent.revision)}</code>, Bun ${esc(agent.bunVersion)}, roles ${esc(agent.roles.join(", "))}</small></p>
</main></body></html>
`;
}
