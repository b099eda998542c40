/**
 * The push role's page at `/`: the stored groups, one page of rows at a time (so 20,000 groups cost the
 * browser no more than 100 rows), filtered by label text and sorted by push age on the server; a group's
 * metrics load when its row is opened; delete (with --push.enable-admin-api) uses the push path's DELETE.
 * Beside each push's outcome, the outcome of the job itself when it reports one (`agent exec` and the client
 * library push job_success and job_exit_code); "failed only" keeps the groups where either failed.
 */
import type { Context, Hono } from "hono";
import type { AgentInfo, Link } from "@agent/core";
import { formatSeconds, html, pageResponse, renderPage, timeHtml, type Html } from "@agent/core/pages";
import type { StoredFamily } from "./families.ts";
import { parsePushPath } from "./grouping-key.ts";
import type { GroupSummary } from "./group.ts";
import type { PushStore } from "./push-store.ts";
import { renderFamilies } from "./render-metrics.ts";

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
  /** Only groups whose last push or whose job failed. */
  failedOnly: boolean;
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
    failedOnly: params.get("failed") === "1",
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

/** What the job reported about its own last run; undefined where it pushed neither metric. */
export interface JobOutcome {
  success: boolean | undefined;
  exitCode: number | undefined;
}

/** The value of a stored family's first metric; undefined without one, or for NaN. */
function firstValue(family: StoredFamily | undefined): number | undefined {
  const v = family?.series ? family.metric(0).value : undefined;
  return v === undefined || Number.isNaN(v) ? undefined : v;
}

export function jobOutcome(store: PushStore, g: GroupSummary): JobOutcome | undefined {
  const families = store.get(g.labels)?.families;
  const success = firstValue(families?.get("job_success"));
  const exitCode = firstValue(families?.get("job_exit_code"));
  if (success === undefined && exitCode === undefined) return undefined;
  return { success: success === undefined ? exitCode === 0 : success === 1, exitCode };
}

/** The groups this query shows, and how many matched in all. */
export function selectGroups(
  all: GroupSummary[],
  q: GroupQuery,
  jobOf: (g: GroupSummary) => JobOutcome | undefined = () => undefined,
): { rows: GroupSummary[]; matched: number; page: number; pages: number } {
  const needle = q.filter.toLowerCase();
  let hits = needle ? all.filter((g) => labelText(g.labels).toLowerCase().includes(needle)) : all;
  if (q.failedOnly) hits = hits.filter((g) => !g.lastPushSuccessful || jobOf(g)?.success === false);
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
  if (q.failedOnly) p.set("failed", "1");
  if (q.sort !== "labels") p.set("sort", q.sort);
  if (q.perPage !== 100) p.set("per", String(q.perPage));
  if (page > 1) p.set("page", String(page));
  const s = p.toString();
  return s ? `?${s}` : "?";
}

function jobCell(job: JobOutcome | undefined): Html {
  if (!job) return html`<span class="muted">not reported</span>`;
  const code = job.exitCode === undefined ? "" : ` (exit code ${job.exitCode})`;
  return job.success ? html`<span class="ok">succeeded</span>${code}` : html`<span class="bad">failed</span>${code}`;
}

function row(g: GroupSummary, job: JobOutcome | undefined, now: number, canDelete: boolean): Html {
  const text = labelText(g.labels);
  const labels = Object.entries(g.labels).map(([k, v]) => html`<code>${k}="${v}"</code>`);
  const pushed = g.lastPush > 0 ? html`${timeHtml(g.lastPush)}<br><span class="muted">${formatSeconds(now - g.lastPush)} ago</span>` : html`<span class="muted">never</span>`;
  const outcome = g.lastPushSuccessful
    ? html`<span class="ok">succeeded</span>`
    : html`<span class="bad">failed</span> ${timeHtml(g.lastFailure)}<br><span class="bad">${g.lastFailureReason ?? ""}</span>`;
  const ttl = g.ttlLeft === undefined ? html`<span class="muted">none</span>` : formatSeconds(g.ttlLeft);
  const src = `/-/page/group?path=${encodeURIComponent(g.path)}`;
  const del = canDelete
    ? html`<td><button type="button" class="danger" data-delete="${g.path}" data-name="${text}" aria-label="Delete group ${text}">Delete</button></td>`
    : "";
  return html`<tr data-group="${g.path}"><td class="labels">${labels}<details data-src="${src}"><summary>Metrics <span class="visually-hidden">of ${text}</span></summary><pre></pre></details></td><td data-label="Last push">${pushed}</td><td data-label="Push outcome">${outcome}</td><td data-label="Job outcome">${jobCell(job)}</td><td class="num" data-label="TTL left">${ttl}</td><td class="num" data-label="Series">${g.series}</td>${del}</tr>`;
}

function body(store: PushStore, q: GroupQuery, canDelete: boolean): Html {
  const now = Date.now() / 1000;
  const all = store.list();
  const storage = store.storage;
  const failing = all.reduce((n, g) => n + (g.lastPushSuccessful ? 0 : 1), 0);
  const jobOf = (g: GroupSummary) => jobOutcome(store, g);
  const { rows, matched, page, pages } = selectGroups(all, q, jobOf);
  const first = matched === 0 ? 0 : (page - 1) * q.perPage + 1;
  const pager = (label: string, to: number, enabled: boolean) =>
    enabled ? html`<a href="${queryString(q, to)}" data-swap>${label}</a>` : html`<span class="muted" aria-disabled="true">${label}</span>`;
  const options = (Object.keys(SORTS) as Sort[]).map((s) => html`<option value="${s}"${s === q.sort ? html` selected` : ""}>${SORTS[s]}</option>`);
  const sizes = PAGE_SIZES.map((n) => html`<option${n === q.perPage ? html` selected` : ""}>${n}</option>`);
  const matching = [q.filter ? ` matching “${q.filter}”` : "", q.failedOnly ? " that failed" : ""].join("");
  return html`<form class="controls" method="get" action="/" data-live role="search">
<label for="q">Filter by label text<input id="q" name="q" type="search" value="${q.filter}" placeholder='job="backup"' autocomplete="off"></label>
<label for="failed" class="check"><span>Failed only</span><input id="failed" name="failed" type="checkbox" value="1"${q.failedOnly ? html` checked` : ""}></label>
<label for="sort">Sort by<select id="sort" name="sort">${options}</select></label>
<label for="per">Rows per page<select id="per" name="per">${sizes}</select></label>
<button type="submit">Apply</button>
</form>
<section id="groups" data-region aria-labelledby="groups-heading">
<h2 id="groups-heading">Groups</h2>
<p>${store.groups} groups, ${store.series} series stored in ${storage.kind} (${storage.location})${storage.replicas.length ? html`, served by ${storage.replicas.length} ${storage.replicas.length === 1 ? "replica" : "replicas"}: ${storage.replicas.join(", ")}` : ""}; <span class="${failing ? "bad" : "ok"}">${failing} with a failed last push</span>. Showing ${first}–${first + rows.length - (rows.length ? 1 : 0)} of ${matched}${matching}.</p>
<div class="scroll"><table class="stack">
<thead><tr><th scope="col">Grouping labels</th><th scope="col">Last push</th><th scope="col">Last push outcome</th><th scope="col">Job outcome</th><th scope="col" class="num">TTL left</th><th scope="col" class="num">Series</th>${canDelete ? html`<th scope="col"><span class="visually-hidden">Actions</span></th>` : ""}</tr></thead>
<tbody>${rows.map((g) => row(g, jobOf(g), now, canDelete))}</tbody>
</table></div>
${rows.length === 0 ? html`<p class="muted">No groups${q.filter || q.failedOnly ? " match this filter" : " pushed yet"}.</p>` : ""}
<nav class="pager" aria-label="Pages">${pager("← Previous", page - 1, page > 1)}<span>page ${page} of ${pages}</span>${pager("Next →", page + 1, page < pages)}</nav>
</section>`;
}

/** A group's families as exposition text, as the store holds them. */
function groupText(store: PushStore, c: Context): Response {
  const path = parsePushPath(c.req.query("path") ?? "");
  if (!path.ok) return new Response(`bad group path: ${path.message}\n`, { status: 400 });
  const g = store.get(path.labels);
  if (!g) return new Response("no such group (deleted or expired)\n", { status: 404 });
  const out = renderFamilies(g.families.values());
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
