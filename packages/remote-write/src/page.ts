/**
 * Each receiver's queue at a glance: the `/remote-write` page, on the role that serves the remote-write
 * metrics, and the same table as a section of that role's own page.
 */
import type { AgentInfo } from "@agent/core";
import { formatBytes, formatSeconds, html, pageResponse, renderPage, scrollBox, type Html, type RoleApp } from "@agent/core/pages";
import type { QueueGauges, QueueMetrics } from "./metrics.ts";

export interface QueueView {
  metrics: QueueMetrics;
  gauges(): QueueGauges;
}

function ago(unixSeconds: number): string {
  return unixSeconds === 0 ? "never" : `${formatSeconds(Date.now() / 1000 - unixSeconds)} ago`;
}

function row(q: QueueView): Html {
  const m = q.metrics;
  const g = q.gauges();
  const error = m.lastErrorTime > m.lastSendTime ? `${m.lastError} (${ago(m.lastErrorTime)})` : "–";
  return html`<tr><td>${m.remoteName}</td><td>${m.url}</td><td class="num">${g.pendingSamples}</td><td class="num">${formatBytes(g.queueBytes)} of ${formatBytes(g.maxBytes)}</td><td class="num">${m.samplesSent}</td><td class="num">${m.samplesRetried}</td><td class="num">${m.samplesFailed}</td><td class="num">${m.samplesDropped}</td><td>${ago(m.lastSendTime)}</td><td>${error}</td></tr>`;
}

/** What collection feeds the queues, then one row per queue. */
export function queuesBody(queues: readonly QueueView[], intervalSeconds: number): Html {
  const head = html`<tr><th>Name</th><th>URL</th><th>Pending samples</th><th>Queue on disk</th><th>Sent</th><th>Retried</th><th>Failed</th><th>Dropped</th><th>Last accepted</th><th>Last error</th></tr>`;
  const table = html`<table><thead>${head}</thead><tbody>${queues.map(row)}</tbody></table>`;
  return html`<p>Every role's metrics are collected every ${formatSeconds(intervalSeconds)} and queued for each receiver.</p>${scrollBox("Remote-write queues", table)}`;
}

export function remoteWritePage(app: RoleApp, opts: { role: string; agent: AgentInfo; queues: readonly QueueView[]; intervalSeconds: number }): void {
  app.get("/remote-write", (c) => {
    const body = html`<section id="queues" data-region>${queuesBody(opts.queues, opts.intervalSeconds)}</section>`;
    return pageResponse(
      renderPage({ role: opts.role, heading: "Remote write", agent: opts.agent, requestHost: c.req.header("host") ?? "localhost", body, refreshSeconds: 5 }),
    );
  });
}
