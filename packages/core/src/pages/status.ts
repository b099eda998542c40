/**
 * `/status` on every role's address, the HTML view Pushgateway's status page gives: build information, when
 * the agent started, the roles and their addresses, and this role's flags (the ones set away from their
 * default first). Passwords in URLs (`https://user:pass@host`) are not shown.
 */
import { shownFlags, type FlagSet, type FlagValues } from "../config/flag.ts";
import type { AgentInfo } from "../role.ts";
import { html, type Html } from "./html.ts";
import { formatSeconds, pageResponse, renderPage, scrollBox, timeHtml, type RoleApp } from "./layout.ts";

export interface StatusPageOptions<F extends FlagSet> {
  role: string;
  agent: AgentInfo;
  /** The role's flags and their values; those set away from their default are marked and listed first. */
  flags: F;
  values: FlagValues<F>;
}

const URL_PASSWORD = /(\/\/[^/:@\s]*):[^@/\s]*@/g;

function facts(rows: [string, Html | string][]): Html {
  return html`<dl class="inventory">${rows.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}</dl>`;
}

export function statusBody<F extends FlagSet>(o: StatusPageOptions<F>): Html {
  const { agent } = o;
  const shown = shownFlags(o.flags, o.values);
  const defaults = Object.fromEntries(Object.values(o.flags).map((f) => [f.name, f.show(f.default)]));
  const names = Object.keys(shown).sort();
  const changed = (n: string) => defaults[n] !== shown[n];
  names.sort((a, b) => Number(changed(b)) - Number(changed(a)));
  const rows = names.map(
    (n) =>
      html`<tr${changed(n) ? html` class="changed"` : ""}><th scope="row"><code>--${n}</code></th><td><code>${shown[n]!.replace(URL_PASSWORD, "$1:<hidden>@")}</code></td><td>${changed(n) ? "set" : "default"}</td></tr>`,
  );
  return html`<section id="build" aria-labelledby="h-build"><h2 id="h-build">Build information</h2>
${facts([
  ["Version", agent.version],
  ["Revision", agent.revision],
  ["Bun", agent.bunVersion],
  ["Started", html`${timeHtml(agent.startTime)} (${formatSeconds(Date.now() / 1000 - agent.startTime)} ago)`],
  ["Roles", Object.entries(agent.addresses).map(([r, a]) => `${r} on ${a}`).join(", ")],
])}</section>
<section id="flags" aria-labelledby="h-flags"><h2 id="h-flags">Flags of the ${o.role} role</h2>
${scrollBox("Flags", html`<table><thead><tr><th scope="col">Flag</th><th scope="col">Value</th><th scope="col">Source</th></tr></thead><tbody>${rows}</tbody></table>`)}
</section>`;
}

export function statusPage<F extends FlagSet>(app: RoleApp, o: StatusPageOptions<F>): void {
  app.get("/status", (c) =>
    pageResponse(renderPage({ role: o.role, heading: "Status", agent: o.agent, requestHost: c.req.header("host") ?? "localhost", body: statusBody(o) })),
  );
}
