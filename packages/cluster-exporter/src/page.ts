/**
 * The cluster role's page at `/`: how the last scrape went, failed stages first, then who loads Lustre now
 * (the last scrape's top accounts, users and process names by read, write and metadata rate), then every
 * stage's timing.
 */
import type { AgentInfo } from "@agent/core";
import { formatBytes, formatSeconds, html, pageResponse, renderPage, scrollBox, timeHtml, type Html, type RoleApp } from "@agent/core/pages";
import type { Ranked, ScrapeReport, TopLists } from "./report.ts";
import type { StageOutcome } from "./stages.ts";

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

function topTable(id: string, who: string, kind: string, rows: Ranked[], show: (v: number) => string): Html {
  const caption = `${who} by ${kind.toLowerCase()}`;
  if (rows.length === 0) return html`<div class="card" id="${id}"><p class="label">${caption}</p><p class="muted">none</p></div>`;
  const body = rows.map((r, i) => html`<tr><td class="num">${i + 1}</td><th scope="row">${r.name}</th><td class="num">${show(r.value)}</td></tr>`);
  const table = html`<table><caption class="label">${caption}</caption><thead><tr><th scope="col" class="num">#</th><th scope="col">${who.replace(/s$/, "")}</th><th scope="col" class="num">${kind}</th></tr></thead><tbody>${body}</tbody></table>`;
  return html`<div class="card" id="${id}">${scrollBox(caption, table)}</div>`;
}

function tops(id: string, who: string, lists: TopLists): Html {
  return html`<h3>${who}</h3><div class="grid">${KINDS.map(([k, title, show]) => topTable(`${id}-${k}`, who, title, lists[k], show))}</div>`;
}

/** The failed stages and why, where an operator looks first. */
function errors(failed: StageOutcome[]): Html {
  return html`<div id="errors" class="card alert"><h2 id="h-errors">Failed stages</h2><ul>${failed.map((s) => html`<li><strong>${s.name}</strong>: <span class="bad">${s.error ?? ""}</span></li>`)}</ul>
<p class="muted">Counted in <code>cluster_exporter_stage_errors_total</code>; the log has each one with its stage name.</p></div>`;
}

function stages(r: ScrapeReport): Html {
  const ordered = [...r.stages].sort((a, b) => Number(a.error === undefined) - Number(b.error === undefined));
  const rows = ordered.map(
    (s) =>
      html`<tr><th scope="row">${s.name}</th><td class="num" data-label="Duration">${(s.seconds * 1000).toFixed(1)} ms</td><td class="${s.error ? "bad" : "ok"}" data-label="Outcome">${s.error ? `failed: ${s.error}` : "ok"}</td><td class="num" data-label="Records skipped">${s.skipped}</td></tr>`,
  );
  return scrollBox("Stages", html`<table id="stages" class="stack"><thead><tr><th scope="col">Stage</th><th scope="col" class="num">Duration</th><th scope="col">Outcome</th><th scope="col" class="num">Records skipped</th></tr></thead><tbody>${rows}</tbody></table>`);
}

function body(report: ScrapeReport | undefined): Html {
  if (!report) {
    return html`<section id="scrape" data-region><h2>Last scrape</h2><p>No scrape yet. The role asks Prometheus, squeue and getent each time <a href="/metrics">/metrics</a> is scraped; this page shows the last of those.</p></section>`;
  }
  const age = Date.now() / 1000 - report.startedAt / 1000;
  const failed = report.stages.filter((s) => s.error !== undefined);
  return html`<section id="scrape" data-region aria-labelledby="h-scrape">
<h2 id="h-scrape">Last scrape</h2>
<p>Started ${timeHtml(report.startedAt / 1000)} (${formatSeconds(age)} ago), took ${(report.seconds * 1000).toFixed(0)} ms:
<strong class="${report.ok ? "ok" : "bad"}">${report.ok ? "every stage succeeded" : "a stage failed"}</strong>.</p>
${failed.length ? errors(failed) : ""}
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
