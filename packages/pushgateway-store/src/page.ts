/**
 * The push role's page at `/`: the stored groups, one page of rows at a time (so 20,000 groups cost the
 * browser no more than 100 rows), filtered by label text and sorted by push age on the server; a group's
 * metrics load when its row is opened; delete (with --push.enable-admin-api) uses the push path's DELETE.
 */
import type { Context, Hono } from "hono";
import { renderHeader, type AgentInfo, type Link } from "@agent/core";
import { escapeHtml as esc, formatSeconds, pageResponse, renderPage, timeHtml } from "@agent/core/pages";
import { parsePushPath } from "./grouping-key.ts";
import type { GroupSummary, PushStore } from "./push-store.ts";

export interface PushPageOptions {
  store: PushStore;
  agent: AgentInfo;
  enableAdminApi: boolean;
  links: Link[];
}

const SORTS = {
  labels: "grouping labels",
  newest: "newest push first",
  oldest: "oldest push first",
} as const;
type Sort = keyof typeof SORTS;

const PAGE_SIZES = [25, 100, 500] as const;

export interface GroupQuery {
  /** Case-insensitive text every shown group's `name="value"` labels contain. */
  filter: string;
  sort: Sort;
  /** 1-based. */
  page: number;
  perPage: number;
}

export function parseGroupQuery(params: URLSearchParams): GroupQuery {
  const sort = params.get("sort") ?? "";
  const per = Number(params.get("per"));
  const page = Math.floor(Number(params.get("page")));
  return {
    filter: (params.get("q") ?? "").trim(),
    sort: sort in SORTS ? (sort as Sort) : "labels",
    page: page >= 1 ? page : 1,
    perPage: (PAGE_SIZES as readonly number[]).includes(per) ? per : 100,
  };
}

export function labelText(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(" ");
}

/** The groups this query shows, and how many matched in all. */
export function selectGroups(all: GroupSummary[], q: GroupQuery): { rows: GroupSummary[]; matched: number; page: number; pages: number } {
  const needle = q.filter.toLowerCase();
  const hits = needle ? all.filter((g) => labelText(g.labels).toLowerCase().includes(needle)) : all;
  // A group that never had a successful push is the oldest of all.
  if (q.sort === "newest") hits.sort((a, b) => b.lastPush - a.lastPush);
  else if (q.sort === "oldest") hits.sort((a, b) => a.lastPush - b.lastPush);
  const pages = Math.max(1, Math.ceil(hits.length / q.perPage));
  const page = Math.min(q.page, pages);
  return { rows: hits.slice((page - 1) * q.perPage, page * q.perPage), matched: hits.length, page, pages };
}

function queryString(q: GroupQuery, page: number): string {
  const p = new URLSearchParams();
  if (q.filter) p.set("q", q.filter);
  if (q.sort !== "labels") p.set("sort", q.sort);
  if (q.perPage !== 100) p.set("per", String(q.perPage));
  if (page > 1) p.set("page", String(page));
  const s = p.toString();
  return s ? `?${s}` : "?";
}

function row(g: GroupSummary, now: number, canDelete: boolean): string {
  const text = labelText(g.labels);
  const labels = Object.entries(g.labels)
    .map(([k, v]) => `<code>${esc(k)}="${esc(v)}"</code>`)
    .join("");
  const pushed = g.lastPush > 0 ? `${timeHtml(g.lastPush)}<br><span class="muted">${esc(formatSeconds(now - g.lastPush))} ago</span>` : `<span class="muted">never</span>`;
  const outcome = g.lastPushSuccessful
    ? `<span class="ok">succeeded</span>`
    : `<span class="bad">failed</span> ${timeHtml(g.lastFailure)}<br><span class="bad">${esc(g.lastFailureReason ?? "")}</span>`;
  const ttl = g.ttlLeft === undefined ? `<span class="muted">none</span>` : esc(formatSeconds(g.ttlLeft));
  const src = `/-/page/group?path=${encodeURIComponent(g.path)}`;
  const del = canDelete
    ? `<td><button type="button" class="danger" data-delete="${esc(g.path)}" data-name="${esc(text)}" aria-label="Delete group ${esc(text)}">Delete</button></td>`
    : "";
  return `<tr data-group="${esc(g.path)}"><td class="labels">${labels}<details data-src="${esc(src)}"><summary>Metrics <span class="visually-hidden">of ${esc(text)}</span></summary><pre></pre></details></td><td data-label="Last push">${pushed}</td><td data-label="Outcome">${outcome}</td><td class="num" data-label="TTL left">${ttl}</td><td class="num" data-label="Series">${g.series}</td>${del}</tr>`;
}

function body(store: PushStore, q: GroupQuery, canDelete: boolean): string {
  const now = Date.now() / 1000;
  const all = store.list();
  const failing = all.reduce((n, g) => n + (g.lastPushSuccessful ? 0 : 1), 0);
  const { rows, matched, page, pages } = selectGroups(all, q);
  const first = matched === 0 ? 0 : (page - 1) * q.perPage + 1;
  const pager = (label: string, to: number, enabled: boolean) =>
    enabled ? `<a href="${esc(queryString(q, to))}" data-swap>${label}</a>` : `<span class="muted" aria-disabled="true">${label}</span>`;
  const options = (Object.keys(SORTS) as Sort[]).map((s) => `<option value="${s}"${s === q.sort ? " selected" : ""}>${SORTS[s]}</option>`).join("");
  const sizes = PAGE_SIZES.map((n) => `<option${n === q.perPage ? " selected" : ""}>${n}</option>`).join("");
  return `<form class="controls" method="get" action="/" data-live role="search">
<label for="q">Filter by label text<input id="q" name="q" type="search" value="${esc(q.filter)}" placeholder='job="backup"' autocomplete="off"></label>
<label for="sort">Sort by<select id="sort" name="sort">${options}</select></label>
<label for="per">Rows per page<select id="per" name="per">${sizes}</select></label>
<button type="submit">Apply</button>
</form>
<section id="groups" data-region aria-labelledby="groups-heading">
<h2 id="groups-heading">Groups</h2>
<p>${store.groups} groups, ${store.series} series stored; <span class="${failing ? "bad" : "ok"}">${failing} with a failed last push</span>. Showing ${first}–${first + rows.length - (rows.length ? 1 : 0)} of ${matched}${q.filter ? ` matching “${esc(q.filter)}”` : ""}.</p>
<div class="scroll"><table class="stack">
<thead><tr><th scope="col">Grouping labels</th><th scope="col">Last push</th><th scope="col">Last push outcome</th><th scope="col" class="num">TTL left</th><th scope="col" class="num">Series</th>${canDelete ? `<th scope="col"><span class="visually-hidden">Actions</span></th>` : ""}</tr></thead>
<tbody>${rows.map((g) => row(g, now, canDelete)).join("")}</tbody>
</table></div>
${rows.length === 0 ? `<p class="muted">No groups${q.filter ? " match this filter" : " pushed yet"}.</p>` : ""}
<nav class="pager" aria-label="Pages">${pager("← Previous", page - 1, page > 1)}<span>page ${page} of ${pages}</span>${pager("Next →", page + 1, page < pages)}</nav>
</section>`;
}

/** A group's families as exposition text, as the store holds them. */
function groupText(store: PushStore, c: Context): Response {
  const path = parsePushPath(c.req.query("path") ?? "");
  if (!path.ok) return new Response(`bad group path: ${path.message}\n`, { status: 400 });
  const g = store.get(path.labels);
  if (!g) return new Response("no such group (deleted or expired)\n", { status: 404 });
  let out = "";
  for (const f of g.families.values()) out += renderHeader(f.name, f.type, f.help) + f.text;
  return new Response(out || "(no metrics: only failed pushes so far)\n", { headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

export function pushPage(app: Hono, o: PushPageOptions): void {
  app.get("/", (c) => {
    const q = parseGroupQuery(new URL(c.req.url).searchParams);
    return pageResponse(
      renderPage({
        role: "push",
        heading: "Pushed groups",
        agent: o.agent,
        requestHost: c.req.header("host") ?? "localhost",
        links: o.links,
        body: body(o.store, q, o.enableAdminApi),
      }),
    );
  });
  app.get("/-/page/group", (c) => groupText(o.store, c));
}
