/**
 * The push role's page in headless Chromium against the compiled agent, with basic auth on: the groups the
 * test pushed (labels, push time, failure reason, TTL, series), filtering, sorting, a group's metrics,
 * delete that asks first; and 20,000 groups shown within 1 s of navigation.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import { runAgent, startAgent, type RunningAgent } from "../harness/index.ts";
import {
  AUTH_HEADER,
  PASSWORD,
  USER,
  basicAuthConfig,
  expectClean,
  expectPhoneLayout,
  launchBrowser,
  screenshot,
  waitForCount,
  withPage,
} from "./browser.ts";

let browser: Browser;
let web: { path: string; remove(): void };

beforeAll(async () => {
  web = await basicAuthConfig();
  browser = await launchBrowser();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  web?.remove();
});

function startPush(extra: string[] = []): Promise<RunningAgent> {
  return startAgent({ roles: ["push"], args: [`--web.config.file=${web.path}`, ...extra], probe: { headers: AUTH_HEADER } });
}

async function push(base: string, path: string, body: string, method = "PUT", headers: Record<string, string> = {}): Promise<number> {
  const r = await fetch(base + path, { method, body, headers: { ...AUTH_HEADER, ...headers } });
  await r.arrayBuffer();
  return r.status;
}

describe("push page", () => {
  let agent: RunningAgent;
  let base: string;

  beforeAll(async () => {
    agent = await startPush(["--push.enable-admin-api"]);
    base = agent.urls.push!;
    expect(await push(base, "/metrics/job/backup/instance/db1", "# TYPE backup_bytes gauge\nbackup_bytes 1024\nbackup_files{kind=\"full\"} 7\n")).toBe(200);
    await Bun.sleep(1100); // distinct push times, for sorting
    expect(await push(base, "/metrics/job/nightly/instance@base64/d2ViLzE", "nightly_ok 1\n", "PUT", { "X-Push-TTL": "1h" })).toBe(200);
    await Bun.sleep(1100);
    expect(await push(base, "/metrics/job/etl", "# TYPE etl_rows_total counter\netl_rows_total 5\n")).toBe(200);
    // Same name as the etl group's counter, pushed as a gauge: refused, and recorded as this group's failure.
    expect(await push(base, "/metrics/job/etl-bad", "# TYPE etl_rows_total gauge\netl_rows_total 1\n")).toBe(400);
  }, 30_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test("needs the credentials", async () => {
    expect((await fetch(base + "/")).status).toBe(401);
  });

  test("lists the pushed groups with push time, outcome, TTL and series; no console errors, no foreign requests", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const rows = w.page.locator("#groups tbody tr");
      await expect(rows.count()).resolves.toBe(4);
      const text = (await rows.allInnerTexts()).join("\n");
      expect(text).toContain('job="backup"');
      expect(text).toContain('instance="web/1"');
      const nightly = w.page.locator('tr[data-group*="nightly"]');
      expect(await nightly.innerText()).toMatch(/succeeded[\s\S]*(59m|1h)/);
      const backup = w.page.locator('tr[data-group="/metrics/job/backup/instance/db1"]');
      expect(await backup.locator("td").nth(5).innerText()).toBe("2");
      expect(await backup.locator("td").nth(4).innerText()).toBe("none");
      expect(await backup.locator("td").nth(3).innerText()).toBe("not reported");
      const bad = w.page.locator('tr[data-group="/metrics/job/etl-bad"]');
      expect(await bad.innerText()).toContain("failed");
      expect(await bad.innerText()).toContain("etl_rows_total is pushed as gauge");
      expect(await w.page.locator("header.top").innerText()).toMatch(/version .*roles push.*up /s);
      expect(await w.page.locator('header.top a[href="/metrics"]').count()).toBe(1);
      await screenshot(w.page, "push-groups");
      expectClean(w);
    });
  }, 30_000);

  test("filters by label text, sorts by age, and opens a group's metrics", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      await w.page.getByLabel("Filter by label text").fill("etl");
      await waitForCount(w.page, "#groups tbody tr", 2);
      expect(new URL(w.page.url()).searchParams.get("q")).toBe("etl");
      await w.page.getByLabel("Filter by label text").fill("");
      await waitForCount(w.page, "#groups tbody tr", 4);

      await w.page.getByLabel("Sort by").selectOption("newest");
      await w.page.waitForURL((u) => u.searchParams.get("sort") === "newest");
      const newest = await w.page.locator("#groups tbody tr").evaluateAll((trs) => trs.map((t) => t.getAttribute("data-group")));
      // etl-bad never had a successful push: the oldest of all.
      expect(newest).toEqual(["/metrics/job/etl", "/metrics/job/nightly/instance@base64/d2ViLzE", "/metrics/job/backup/instance/db1", "/metrics/job/etl-bad"]);
      await w.page.getByLabel("Sort by").selectOption("oldest");
      await w.page.waitForURL((u) => u.searchParams.get("sort") === "oldest");
      const oldest = await w.page.locator("#groups tbody tr").evaluateAll((trs) => trs.map((t) => t.getAttribute("data-group")));
      expect(oldest).toEqual([...newest].reverse());

      const backup = w.page.locator('tr[data-group="/metrics/job/backup/instance/db1"]');
      await backup.locator("summary").click();
      await expect(backup.locator("pre").textContent()).resolves.toBeDefined();
      await backup.locator("pre").filter({ hasText: /\S/ }).waitFor();
      const metrics = await backup.locator("pre").textContent();
      expect(metrics).toContain('backup_bytes{instance="db1",job="backup"} 1024');
      expect(metrics).toContain('backup_files{instance="db1",job="backup",kind="full"} 7');
      await screenshot(w.page, "push-sorted-expanded");
      expectClean(w);
    });
  }, 30_000);

  test("delete asks first: cancelled keeps the group, confirmed removes it from the page and the store", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const row = w.page.locator('tr[data-group="/metrics/job/etl-bad"]');
      w.answers.push(false);
      await row.getByRole("button", { name: /Delete/ }).click();
      await w.page.waitForTimeout(300);
      expect(w.dialogs).toEqual(['Delete the group job="etl-bad" and all its metrics?']);
      expect(await row.count()).toBe(1);
      expect((await (await fetch(base + "/api/v1/groups", { headers: AUTH_HEADER })).text())).toContain("etl-bad");

      w.answers.push(true);
      await row.getByRole("button", { name: /Delete/ }).click();
      await w.page.locator('tr[data-group="/metrics/job/etl-bad"]').waitFor({ state: "detached" });
      expect(w.dialogs.length).toBe(2);
      expect(await w.page.locator("#page-status").innerText()).toContain('Deleted job="etl-bad"');
      const groups = (await (await fetch(base + "/api/v1/groups", { headers: AUTH_HEADER })).json()) as { data: { path: string }[] };
      expect(groups.data.map((g) => g.path).sort()).toEqual(["/metrics/job/backup/instance/db1", "/metrics/job/etl", "/metrics/job/nightly/instance@base64/d2ViLzE"]);
      expectClean(w);
    });
  }, 30_000);

  test("a job's own outcome from agent exec beside the push outcome, and the failed-only filter", async () => {
    const passwordFile = join(agent.dataDir, "password");
    writeFileSync(passwordFile, PASSWORD);
    for (const [job, code] of [["train", 3], ["report", 0]] as const) {
      const auth = ["--username", USER, "--password-file", passwordFile];
      const r = await runAgent(["exec", "--gateway", base, ...auth, "--job", job, "--standard-labels=false", "--", "sh", "-c", `exit ${code}`]);
      expect(r.code).toBe(code);
    }
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const cell = (job: string) => w.page.locator(`tr[data-group="/metrics/job/${job}"] td[data-label="Job outcome"]`);
      expect(await cell("train").innerText()).toBe("failed (exit code 3)");
      expect(await cell("train").locator(".bad").count()).toBe(1);
      expect(await cell("report").innerText()).toBe("succeeded (exit code 0)");
      // The push of the failed job succeeded: the two outcomes are told apart.
      expect(await w.page.locator('tr[data-group="/metrics/job/train"] td[data-label="Push outcome"]').innerText()).toBe("succeeded");

      const shown = () => w.page.locator("#groups tbody tr").evaluateAll((trs) => trs.map((t) => t.getAttribute("data-group")));
      const all = await shown();
      await w.page.getByLabel("Failed only").check();
      await w.page.waitForURL((u) => u.searchParams.get("failed") === "1");
      await w.page.locator('tr[data-group="/metrics/job/report"]').waitFor({ state: "detached" });
      // The failed job, and a group whose last push was refused (etl-bad, unless the delete test removed it).
      const failed = await shown();
      expect(failed).toContain("/metrics/job/train");
      expect(failed.filter((g) => g !== "/metrics/job/train" && g !== "/metrics/job/etl-bad")).toEqual([]);
      expect(await w.page.locator("#groups").innerText()).toContain("that failed");
      await screenshot(w.page, "push-failed-only");
      await w.page.getByLabel("Failed only").uncheck();
      await waitForCount(w.page, "#groups tbody tr", all.length);
      expectClean(w);
    });
  }, 30_000);

  test("the status page: build information and the role's flags, those set first", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      await w.page.locator("header.top").getByRole("link", { name: "Status", exact: true }).click();
      await w.page.waitForURL(base + "/status");
      const version = ((await Bun.file(`${import.meta.dir}/../../package.json`).json()) as { version: string }).version;
      expect(await w.page.locator("#build").innerText()).toContain(version);
      expect(await w.page.locator("#build").innerText()).toMatch(/Roles\s+push on 127\.0\.0\.1:\d+/);
      const first = w.page.locator("#flags tbody tr").first();
      expect(await first.innerText()).toMatch(/--push\.enable-admin-api\s+true\s+set/);
      expect(await w.page.getByRole("row", { name: /--push\.default-ttl/ }).innerText()).toContain("default");
      await expectPhoneLayout(w, "push-status");
      expectClean(w);
    }, { width: 390, height: 844 });
  }, 30_000);

  test("readable on a phone: no horizontal scroll of the page itself", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const overflow = (await w.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")) as number;
      expect(overflow).toBeLessThanOrEqual(0);
      await screenshot(w.page, "push-phone");
      expectClean(w);
    }, { width: 390, height: 844 });
  }, 30_000);
});

describe("push page at 20,000 groups", () => {
  const GROUPS = 20_000;
  let agent: RunningAgent;
  let base: string;

  beforeAll(async () => {
    agent = await startPush();
    base = agent.urls.push!;
    let next = 0;
    const worker = async () => {
      while (next < GROUPS) {
        const i = next++;
        const status = await push(base, `/metrics/job/batch/instance/node${String(i).padStart(5, "0")}`, `batch_rows{step="load"} ${i}\nbatch_ok 1\n`);
        if (status !== 200) throw new Error(`push ${i} answered ${status}`);
      }
    };
    await Promise.all(Array.from({ length: 32 }, worker));
  }, 240_000);

  afterAll(async () => {
    await agent?.stop();
  });

  test("the table is visible within 1 s of navigation, one page of rows, no delete without the admin API", async () => {
    await withPage(browser, base, async (w) => {
      // Warm the connection and the credentials once, as a user who already has the tab open would have.
      await w.page.goto(base + "/?q=no-such-group");
      await w.page.goto(base + "/", { waitUntil: "commit" });
      // performance.now() counts from the navigation's start, in the browser.
      const visibleAt = await w.page.waitForFunction(
        '(document.querySelector("#groups tbody tr")?.offsetHeight ?? 0) > 0 ? performance.now() : 0',
        undefined,
        { polling: "raf" },
      );
      const ms = (await visibleAt.jsonValue()) as number;
      console.log(`20,000 groups: table visible ${ms.toFixed(0)} ms after navigation`);
      expect(ms).toBeLessThan(1000);
      expect(await w.page.locator("#groups").innerText()).toContain(`${GROUPS} groups`);
      expect(await w.page.locator("#groups tbody tr").count()).toBe(100);
      expect(await w.page.locator("button[data-delete]").count()).toBe(0);

      await w.page.getByLabel("Filter by label text").fill("node19999");
      await waitForCount(w.page, "#groups tbody tr", 1);
      await w.page.getByLabel("Filter by label text").fill("");
      await waitForCount(w.page, "#groups tbody tr", 100);
      await w.page.getByRole("link", { name: /Next/ }).click();
      await w.page.waitForURL((u) => u.searchParams.get("page") === "2");
      expect(await w.page.locator("#groups tbody tr").first().getAttribute("data-group")).toBe("/metrics/job/batch/instance/node00100");
      await screenshot(w.page, "push-20000-groups");
      expectClean(w);
    });
  }, 60_000);
});
