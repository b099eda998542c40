/**
 * Headless Chromium (Debian's) driven by playwright-core, for the pages' end-to-end tests: every page is
 * opened with basic-auth credentials, console errors, page errors and requests to any other origin are
 * collected, and screenshots go to test-artifacts/pages/.
 */
import { expect } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import { REPO_ROOT } from "../harness/index.ts";

export const USER = "operator";
export const PASSWORD = "s3cret-pages";
export const AUTH_HEADER = { Authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}` };
export const ARTIFACTS = join(REPO_ROOT, "test-artifacts/pages");

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

/** A web config file with one bcrypt basic-auth user, in a temp dir; returns its path and a remover. */
export async function basicAuthConfig(): Promise<{ path: string; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), "pages-web-"));
  const hash = await Bun.password.hash(PASSWORD, { algorithm: "bcrypt", cost: 4 });
  const path = join(dir, "web.yml");
  writeFileSync(path, `basic_auth_users:\n  ${USER}: '${hash}'\n`);
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** URLs requested from any origin other than the page's own. */
  foreign: string[];
  /** Texts of the dialogs shown (confirm()), in order. */
  dialogs: string[];
  /** What the next dialogs answer: true accepts. */
  answers: boolean[];
  close(): Promise<void>;
}

/** A new context with the credentials and a phone or desktop viewport, watching everything the page does. */
export async function openWatched(browser: Browser, origin: string, viewport = { width: 1280, height: 900 }): Promise<WatchedPage> {
  const context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD }, viewport });
  const page = await context.newPage();
  const w: WatchedPage = { page, context, errors: [], foreign: [], dialogs: [], answers: [], close: () => context.close() };
  page.on("console", (m) => m.type() === "error" && w.errors.push(m.text()));
  page.on("pageerror", (e) => w.errors.push(e.message));
  context.on("request", (r) => {
    const url = r.url();
    if (!url.startsWith(origin + "/") && url !== origin && !url.startsWith("data:")) w.foreign.push(url);
  });
  page.on("dialog", (d) => {
    w.dialogs.push(d.message());
    void (w.answers.shift() ?? false ? d.accept() : d.dismiss());
  });
  return w;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * Waits until exactly `n` elements match `selector`. Locators rather than in-page callbacks, because the
 * program's types leave out lib.dom (loading it changes Bun's fetch and stream types everywhere); the few
 * in-page expressions the tests need are strings.
 */
export async function waitForCount(page: Page, selector: string, n: number): Promise<void> {
  const all = page.locator(selector);
  if (n > 0) await all.nth(n - 1).waitFor({ state: "attached" });
  await all.nth(n).waitFor({ state: "detached" });
}

/** How many pixels the page itself scrolls sideways (0 when it fits the viewport). */
export async function horizontalOverflow(page: Page): Promise<number> {
  return (await page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
}

/**
 * WCAG contrast of every visible element that holds text of its own, against the first opaque background
 * behind it: the elements under 4.5:1 (3:1 for large text), as `tag "text" ratio`. In-page, as a string.
 */
const CONTRAST_PROBLEMS = `(() => {
  const rgba = (c) => { const m = c.match(/[\\d.]+/g) || []; return m.map(Number).concat(m.length === 3 ? [1] : []); };
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) { const c = rgba(getComputedStyle(e).backgroundColor); if (c[3] >= 1) return c; }
    return [255, 255, 255, 1];
  };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg")) continue;
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim() !== "");
    if (!own || el.getClientRects().length === 0) continue;
    const s = getComputedStyle(el);
    if (s.visibility === "hidden" || s.clip === "rect(0px, 0px, 0px, 0px)") continue;
    const fg = rgba(s.color), bg = background(el);
    const mixed = fg.slice(0, 3).map((v, i) => v * fg[3] + bg[i] * (1 - fg[3]));
    const [a, b] = [lum(mixed), lum(bg)].sort((x, y) => y - x);
    const ratio = (a + 0.05) / (b + 0.05);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 40) + '" ' + ratio.toFixed(2));
  }
  return out;
})()`;

export async function contrastProblems(page: Page): Promise<string[]> {
  return (await page.evaluate(CONTRAST_PROBLEMS)) as string[];
}

/**
 * Elements that need an accessible name and have none: links, buttons, form controls, images and meters
 * (ARIA name from aria-label, aria-labelledby, a <label>, or, for links and buttons, their text).
 */
const UNNAMED = `(() => {
  const named = (el) => {
    if ((el.getAttribute("aria-label") || "").trim()) return true;
    const by = el.getAttribute("aria-labelledby");
    if (by && by.split(/\\s+/).some((id) => (document.getElementById(id)?.textContent || "").trim())) return true;
    if (el.labels && [...el.labels].some((l) => l.textContent.trim())) return true;
    return (el.matches("a, button, summary") && el.textContent.trim() !== "");
  };
  return [...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, [role=img], [role=meter], [role=region], summary")]
    .filter((el) => !named(el))
    .map((el) => el.outerHTML.slice(0, 80));
})()`;

export async function unnamedElements(page: Page): Promise<string[]> {
  return (await page.evaluate(UNNAMED)) as string[];
}

export interface TabStop {
  /** Tag name, lower case. */
  tag: string;
  /** Accessible name as the page gives it: aria-label, else the text. */
  name: string;
  href: string | null;
  /** The focus indicator is drawn: an outline of 2 px or more. */
  visible: boolean;
}

const ACTIVE = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const s = getComputedStyle(e);
  return {
    tag: e.tagName.toLowerCase(),
    name: (e.getAttribute("aria-label") || e.textContent || "").trim().replace(/\\s+/g, " "),
    href: e.getAttribute("href"),
    visible: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2,
  };
})()`;

/** What has the focus now; null for the page itself. */
export async function focused(page: Page): Promise<TabStop | null> {
  return (await page.evaluate(ACTIVE)) as TabStop | null;
}

/** Presses Tab `count` times from the top of the page and returns what each press focused. */
export async function tabStops(page: Page, count: number): Promise<(TabStop | null)[]> {
  await page.evaluate("document.activeElement && document.activeElement.blur && document.activeElement.blur(), window.scrollTo(0, 0)");
  const stops: (TabStop | null)[] = [];
  for (let i = 0; i < count; i++) {
    await page.keyboard.press("Tab");
    stops.push(await focused(page));
  }
  return stops;
}

/** Boxes of `selector` that scroll sideways at this viewport but cannot take keyboard focus. */
export async function unfocusableScrollers(page: Page, selector = ".scroll"): Promise<string[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll(${JSON.stringify(selector)})].filter((e) => e.scrollWidth > e.clientWidth && e.tabIndex < 0).map((e) => e.outerHTML.slice(0, 80))`,
  )) as string[];
}

/** Nothing went wrong in the page: no console error, no page error, no request to another origin. */
export function expectClean(w: WatchedPage): void {
  expect(w.errors).toEqual([]);
  expect(w.foreign).toEqual([]);
}

/** At a phone's width the page itself does not scroll sideways, and every wide table scrolls in a focusable box. */
export async function expectPhoneLayout(w: WatchedPage, name: string): Promise<void> {
  expect(await horizontalOverflow(w.page)).toBeLessThanOrEqual(0);
  expect(await unfocusableScrollers(w.page)).toEqual([]);
  await screenshot(w.page, `${name}-phone`);
}

/**
 * Every link, control, chart and meter has a name; text contrast holds in light and dark; Tab from the top
 * reaches the /metrics and /status links, the other role's link, then the first scroll box (named
 * `firstBox`), each with a visible focus. Returns those four stops.
 */
export async function expectAccessible(w: WatchedPage, name: string, otherRoleHref: string, firstBox: string): Promise<TabStop[]> {
  expect(await unnamedElements(w.page)).toEqual([]);
  expect(await contrastProblems(w.page)).toEqual([]);
  await w.page.emulateMedia({ colorScheme: "dark" });
  expect(await contrastProblems(w.page)).toEqual([]);
  await screenshot(w.page, `${name}-dark`);
  await w.page.emulateMedia({ colorScheme: "light" });
  const stops = await tabStops(w.page, 4);
  expect(stops.map((s) => s && [s.tag, s.href])).toEqual([
    ["a", "/metrics"],
    ["a", "/status"],
    ["a", otherRoleHref],
    ["div", null],
  ]);
  expect(stops.every((s) => s?.visible)).toBe(true);
  expect(stops[3]!.name).toBe(firstBox);
  return stops as TabStop[];
}

/** Opens a watched page (see openWatched), runs `use` with it, and closes its context whatever happens. */
export async function withPage(browser: Browser, origin: string, use: (w: WatchedPage) => Promise<void>, viewport?: { width: number; height: number }): Promise<void> {
  const w = await openWatched(browser, origin, viewport);
  try {
    await use(w);
  } finally {
    await w.close();
  }
}
