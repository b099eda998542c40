/**
 * The cluster role's page at `/`: who loads Lustre now (the last scrape's top accounts, users and process
 * names by read, write and metadata rate) and how that scrape went, stage by stage.
 */
import type { AgentInfo } from "@agent/core";
import { escapeHtml as esc, formatBytes, formatSeconds, pageResponse, renderPage, scrollBox, timeHtml, type RoleApp } from "@agent/core/pages";
import type { Ranked, ScrapeReport, TopLists } from "./report.ts";

export interface ClusterPageOptions {
  agent: AgentInfo;
  lastScrape(): ScrapeReport | undefined;
  /** Seconds between page updates. */
  refreshSeconds?: number;
}

const KINDS: [keyof TopLists, string, (v: number) => string][] = [
  ["read", "Read", (v) => `${formatBytes(v)}/s`],
  ["write", "Write", (v) => `${formatBytes(v)}/s`],
  ["metadata", "Metadata", (v) => `${v.toFixed(v < 10 ? 1 : 0)} ops/s`],
];

function topTable(id: string, who: string, kind: string, rows: Ranked[], show: (v: number) => string): string {
  const caption = `${who} by ${kind.toLowerCase()}`;
  if (rows.length === 0) return `<div class="card" id="${id}"><p class="label">${esc(caption)}</p><p class="muted">none</p></div>`;
  const body = rows.map((r, i) => `<tr><td class="num">${i + 1}</td><th scope="row">${esc(r.name)}</th><td class="num">${show(r.value)}</td></tr>`).join("");
  const table = `<table><caption class="label">${esc(caption)}</caption><thead><tr><th scope="col" class="num">#</th><th scope="col">${esc(who.replace(/s$/, ""))}</th><th scope="col" class="num">${esc(kind)}</th></tr></thead><tbody>${body}</tbody></table>`;
  return `<div class="card" id="${id}">${scrollBox(caption, table)}</div>`;
}

function tops(id: string, who: string, lists: TopLists): string {
  return `<h3>${esc(who)}</h3><div class="grid">${KINDS.map(([k, title, show]) => topTable(`${id}-${k}`, who, title, lists[k], show)).join("")}</div>`;
}

function stages(r: ScrapeReport): string {
  const rows = r.stages
    .map(
      (s) =>
        `<tr><th scope="row">${esc(s.name)}</th><td class="num" data-label="Duration">${(s.seconds * 1000).toFixed(1)} ms</td><td class="${s.error ? "bad" : "ok"}" data-label="Outcome">${s.error ? `failed: ${esc(s.error)}` : "ok"}</td><td class="num" data-label="Records skipped">${s.skipped}</td></tr>`,
    )
    .join("");
  return scrollBox("Stages", `<table id="stages" class="stack"><thead><tr><th scope="col">Stage</th><th scope="col" class="num">Duration</th><th scope="col">Outcome</th><th scope="col" class="num">Records skipped</th></tr></thead><tbody>${rows}</tbody></table>`);
}

function body(report: ScrapeReport | undefined): string {
  if (!report) {
    return `<section id="scrape" data-region><h2>Last scrape</h2><p>No scrape yet. The role asks Prometheus, squeue and getent each time <a href="/metrics">/metrics</a> is scraped; this page shows the last of those.</p></section>`;
  }
  const age = Date.now() / 1000 - report.startedAt / 1000;
  return `<section id="scrape" data-region aria-labelledby="h-scrape">
<h2 id="h-scrape">Last scrape</h2>
<p>Started ${timeHtml(report.startedAt / 1000)} (${esc(formatSeconds(age))} ago), took ${(report.seconds * 1000).toFixed(0)} ms:
<strong class="${report.ok ? "ok" : "bad"}">${report.ok ? "every stage succeeded" : "a stage failed"}</strong>.</p>
<h2>Top by Lustre throughput</h2>
${tops("accounts", "Accounts", report.accounts)}
${tops("users", "Users", report.users)}
${tops("processes", "Process names", report.processes)}
<h2>Stages</h2>
${stages(report)}
</section>`;
}

export function clusterPage(app: RoleApp, o: ClusterPageOptions): void {
  app.get("/", (c) =>
    pageResponse(
      renderPage({
        role: "cluster",
        heading: "Lustre load",
        agent: o.agent,
        requestHost: c.req.header("host") ?? "localhost",
        body: body(o.lastScrape()),
        refreshSeconds: o.refreshSeconds ?? 15,
      }),
    ),
  );
}
