/**
 * Headless Chromium (Debian's) driven by playwright-core, for the pages' end-to-end tests: every page is
 * opened with basic-auth credentials, console errors, page errors and requests to any other origin are
 * collected, and screenshots go to test-artifacts/pages/.
 */
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
