/**
 * The frame every role's page shares: a header that says which agent this is (version, roles, uptime) and
 * links to /metrics, /status and the other roles, the stylesheet, and the client script. Pages hand in their
 * body as HTML built with the `html` tag (html.ts), which escapes every value put into it.
 */
import { createHash } from "node:crypto";
import { formatDuration } from "../config/flag.ts";
import { linkList, otherRoleLinks } from "../http/landing.ts";
import type { AgentInfo, Link, RoleService } from "../role.ts";
import { PAGE_SCRIPT } from "./client.ts";
import { html, raw, type Html } from "./html.ts";
import { PAGE_CSS } from "./style.ts";

export interface PageOptions {
  role: string;
  /** The page's heading, e.g. "Pushed groups". */
  heading: string;
  agent: AgentInfo;
  /** The request's Host header: links to the other roles keep the host name the browser used. */
  requestHost: string;
  body: Html;
  /** Pages the role serves besides this one (JSON APIs), listed in the header. */
  links?: Link[];
  /** Seconds between automatic updates of the page's regions; none when absent. */
  refreshSeconds?: number;
}

const SCRIPT_HASH = createHash("sha256").update(PAGE_SCRIPT).digest("base64");

/**
 * No request leaves the agent's own origin, and only our script runs: every value a page shows came from
 * clients (group labels, reasons) and is escaped, and this policy is the second line behind that.
 */
const PAGE_HEADERS: Record<string, string> = {
  "Content-Type": "text/html; charset=utf-8",
  "Content-Security-Policy": `default-src 'none'; script-src 'sha256-${SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'`,
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
};

export function pageResponse(html: string, status = 200): Response {
  return new Response(html, { status, headers: PAGE_HEADERS });
}

/** Whole seconds as `3h2m1s`; the age of something that happened `seconds` ago. */
export function formatSeconds(seconds: number): string {
  return formatDuration(Math.max(0, Math.round(seconds)));
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 1536 -> "1.5 KiB". */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return "–";
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < BYTE_UNITS.length - 1) (v /= 1024), i++;
  const digits = i === 0 || v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${bytes < 0 ? "-" : ""}${v.toFixed(digits)} ${BYTE_UNITS[i]}`;
}

/** A fraction 0..1 as "42.0 %". */
export function formatPercent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)} %` : "–";
}

/** Unix seconds as `2026-11-22 03:17:05 UTC` inside a <time> element. */
export function timeHtml(unixSeconds: number): Html {
  const iso = new Date(unixSeconds * 1000).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace("T", " ")} UTC</time>`;
}

/**
 * A wide table's box: it scrolls sideways on its own on a narrow screen, so the page does not; named and
 * focusable so that keyboard users can scroll it too.
 */
export function scrollBox(label: string, inner: Html, className = "scroll"): Html {
  return html`<div class="${className}" role="region" aria-label="${label}" tabindex="0">${inner}</div>`;
}

export function renderPage(o: PageOptions): string {
  const { agent } = o;
  const uptime = Date.now() / 1000 - agent.startTime;
  const others = otherRoleLinks(agent, o.role, o.requestHost);
  const nav = linkList([{ path: "/metrics", title: "Metrics" }, { path: "/status", title: "Status" }, ...(o.links ?? []), ...others]);
  const refresh = o.refreshSeconds ? html` data-refresh="${o.refreshSeconds}"` : "";
  // The stylesheet and the script are the agent's own constants, put in as they are.
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>${o.heading} · agent ${o.role}</title>
<style>${raw(PAGE_CSS)}</style></head>
<body${refresh}>
<header class="top" id="top" data-region>
<h1>agent · ${o.role} · ${o.heading}</h1>
<p class="facts">version <span data-fact="version">${agent.version}</span> (${agent.revision}) · roles <span data-fact="roles">${agent.roles.join(", ")}</span> · up <span data-fact="uptime">${formatSeconds(uptime)}</span></p>
<nav aria-label="Links"><ul>${nav}</ul></nav>
</header>
<main>
<p id="page-status" role="status" aria-live="polite"></p>
${o.body}
</main>
<script>${raw(PAGE_SCRIPT)}</script>
</body></html>
`.toString();
}

/** The app a role mounts its routes on, as the frame hands it over (role packages need not depend on hono). */
export type RoleApp = Parameters<NonNullable<RoleService["routes"]>>[0];
