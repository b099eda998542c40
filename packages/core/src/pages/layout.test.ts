import { expect, test } from "bun:test";
import { landingPage } from "../http/landing.ts";
import type { AgentInfo } from "../role.ts";
import { PAGE_SCRIPT } from "./client.ts";
import { html } from "./html.ts";
import { renderPage } from "./layout.ts";
import { PAGE_CSS } from "./style.ts";

const agent: AgentInfo = { version: "1<2", revision: "r", bunVersion: "1.4.5", roles: ["node", "push"], addresses: { node: ":9100", push: ":9091" }, startTime: 0 };
const hostile = `"><script>alert(1)</script>`;

test("the page frame escapes every value it is given and keeps its own stylesheet and script as they are", () => {
  const page = renderPage({ role: "node", heading: hostile, agent, requestHost: "h:9100", body: html`<p>${hostile}</p>`, links: [{ path: hostile, title: hostile }] });
  expect(page).not.toContain("<script>alert(1)");
  expect(page).toContain("&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  expect(page).toContain("version <span data-fact=\"version\">1&lt;2</span>");
  // Constants go in unescaped: an escaped script would not run and would not match the CSP hash.
  expect(page).toContain(`<script>${PAGE_SCRIPT}</script>`);
  expect(page).toContain(`<style>${PAGE_CSS}</style>`);
  expect(page).toContain('<li><a href="//h:9091/">push role (:9091)</a></li>');
});

test("the landing page escapes the role's title and links", () => {
  const page = landingPage({ role: "node", title: hostile, agent, links: [{ path: "/x?a=1&b=2", title: hostile }], others: [] });
  expect(page).not.toContain("<script>alert(1)");
  expect(page).toContain('<a href="/x?a=1&amp;b=2">');
  expect(page).toContain('<li><a href="/metrics">Metrics</a></li>');
  expect(page).not.toContain("Other roles");
});
