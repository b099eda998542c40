/**
 * The cluster role's page in headless Chromium against the compiled agent, with basic auth on: a stand-in
 * upstream Prometheus answers the Lustre job queries and a stand-in squeue lists the jobs; after a scrape the
 * page must rank the accounts, users and process names from that data by read, write and metadata rate, show
 * each stage's timing, and say which stage failed when squeue breaks.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Browser, Page } from "playwright-core";
import { REPO_ROOT, startAgent, type RunningAgent } from "../harness/index.ts";
import { standinDir, standinPrometheus, vectorAnswer, type VectorRow } from "../cluster/standins.ts";
import {
  AUTH_HEADER,
  basicAuthConfig,
  expectAccessible,
  expectClean,
  expectPhoneLayout,
  launchBrowser,
  screenshot,
  withPage,
} from "./browser.ts";
import { STAGES } from "../../packages/cluster-exporter/src/stages.ts";

const KiB = 1024;
const MiB = 1024 * KiB;
const SQUEUE = 'printf "100 physics alice\\n101 physics alice\\n200 chemistry bob\\n300 biology carol\\n"';

/** Bytes (or operations) per second by Lustre job id, as irate() over job_stats would give them. */
const READ: Record<string, number> = { "100": 3 * MiB, "101": 1 * MiB, "200": 512 * KiB, "300": 2 * MiB, "dd.0": 700 * KiB, "rsync.0": 100 * KiB };
const WRITE: Record<string, number> = { "200": 4 * MiB, "300": 1 * MiB, "cp.0": 64 * KiB };
const METADATA: [string, string, number][] = [["100", "lfs-MDT0000", 40], ["300", "lfs-MDT0000", 12], ["touch.0", "lfs-MDT0000", 5]];

function answers(promql: string): Response {
  const rows = (by: Record<string, number>): VectorRow[] => Object.entries(by).map(([jobid, value]) => ({ metric: { jobid }, value }));
  if (promql.includes("lustre_job_read_bytes_total")) return vectorAnswer(rows(READ));
  if (promql.includes("lustre_job_write_bytes_total")) return vectorAnswer(rows(WRITE));
  if (promql.includes("lustre_job_stats_total")) return vectorAnswer(METADATA.map(([jobid, target, value]) => ({ metric: { jobid, target }, value })));
  return vectorAnswer([]);
}

const bin = standinDir("pages-cluster-");
const prometheus = standinPrometheus(answers);
let browser: Browser;
let web: { path: string; remove(): void };
let agent: RunningAgent;
let base: string;

beforeAll(async () => {
  bin.script("squeue", SQUEUE);
  web = await basicAuthConfig();
  [browser, agent] = await Promise.all([
    launchBrowser(),
    startAgent({
      roles: ["cluster", "push"],
      args: [`--web.config.file=${web.path}`, `--cluster.prometheus-url=${prometheus.url}`, "--cluster.cache-ttl=0s"],
      env: { PATH: bin.path() },
      probe: { headers: AUTH_HEADER },
    }),
  ]);
  base = agent.urls.cluster!;
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  await browser?.close();
  prometheus.stop();
  bin.remove();
  web?.remove();
});

async function scrapeMetrics(): Promise<string> {
  const r = await fetch(base + "/metrics", { headers: AUTH_HEADER });
  expect(r.status).toBe(200);
  return r.text();
}

/** A top table's rows as [rank, name, value]. */
async function ranking(page: Page, id: string): Promise<string[][]> {
  const rows = page.locator(`#${id} tbody tr`);
  const out: string[][] = [];
  for (let i = 0; i < (await rows.count()); i++) out.push((await rows.nth(i).locator("th, td").allInnerTexts()).map((t) => t.trim()));
  return out;
}

describe("cluster page", () => {
  test("needs the credentials", async () => {
    expect((await fetch(base + "/")).status).toBe(401);
  });

  test("before any scrape it says so and points at /metrics", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      expect(await w.page.locator("#scrape").innerText()).toContain("No scrape yet");
      expect(await w.page.locator("#scrape").getByRole("link", { name: "/metrics" }).getAttribute("href")).toBe("/metrics");
      expectClean(w);
    });
  }, 30_000);

  test("after a scrape: top accounts, users and process names by read, write and metadata, and the stage timings", async () => {
    await scrapeMetrics();
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const header = w.page.locator("header.top");
      const version = ((await Bun.file(`${REPO_ROOT}/package.json`).json()) as { version: string }).version;
      expect(await header.locator('[data-fact="version"]').innerText()).toBe(version);
      expect(await header.locator('[data-fact="roles"]').innerText()).toBe("cluster, push");
      expect(await header.locator('[data-fact="uptime"]').innerText()).toMatch(/^\d+[smh]/);
      expect(await header.getByRole("link", { name: "Metrics" }).getAttribute("href")).toBe("/metrics");
      expect(await header.getByRole("link", { name: /push role/ }).getAttribute("href")).toBe(`//127.0.0.1:${agent.ports.push}/`);

      expect(await w.page.locator("#scrape").innerText()).toContain("every stage succeeded");
      // Job 100 and 101 are both physics/alice; 300 is biology/carol; the process job ids run as uid 0 (root).
      expect(await ranking(w.page, "accounts-read")).toEqual([
        ["1", "physics", "4.00 MiB/s"],
        ["2", "biology", "2.00 MiB/s"],
        ["3", "chemistry", "512 KiB/s"],
      ]);
      expect(await ranking(w.page, "accounts-write")).toEqual([
        ["1", "chemistry", "4.00 MiB/s"],
        ["2", "biology", "1.00 MiB/s"],
      ]);
      expect(await ranking(w.page, "accounts-metadata")).toEqual([
        ["1", "physics", "40 ops/s"],
        ["2", "biology", "12 ops/s"],
      ]);
      expect(await ranking(w.page, "users-read")).toEqual([
        ["1", "alice", "4.00 MiB/s"],
        ["2", "carol", "2.00 MiB/s"],
        ["3", "root", "800 KiB/s"],
        ["4", "bob", "512 KiB/s"],
      ]);
      expect(await ranking(w.page, "users-write")).toEqual([
        ["1", "bob", "4.00 MiB/s"],
        ["2", "carol", "1.00 MiB/s"],
        ["3", "root", "64.0 KiB/s"],
      ]);
      expect(await ranking(w.page, "processes-read")).toEqual([
        ["1", "dd", "700 KiB/s"],
        ["2", "rsync", "100 KiB/s"],
      ]);
      expect(await ranking(w.page, "processes-write")).toEqual([["1", "cp", "64.0 KiB/s"]]);
      expect(await ranking(w.page, "processes-metadata")).toEqual([["1", "touch", "5.0 ops/s"]]);
      await expect(w.page.getByRole("table", { name: "Process names by read" }).count()).resolves.toBe(1);

      const stages = await ranking(w.page, "stages");
      expect(stages.map((r) => r[0])).toEqual([...STAGES]);
      for (const [, duration, outcome, skipped] of stages) {
        expect(duration).toMatch(/^\d+\.\d ms$/);
        expect(outcome).toBe("ok");
        expect(skipped).toBe("0");
      }
      await screenshot(w.page, "cluster-desktop");
      expectClean(w);
    });
  }, 30_000);

  test("a failing squeue shows as that stage's error; the process rankings stay", async () => {
    bin.script("squeue", "echo 'squeue: error: Unable to contact slurm controller (connect failure)' >&2; exit 1");
    try {
      await scrapeMetrics();
      await withPage(browser, base, async (w) => {
        await w.page.goto(base + "/");
        expect(await w.page.locator("#scrape").innerText()).toContain("a stage failed");
        // Errors first: the failed stage and its reason above the rankings, and first in the stage table.
        const errors = w.page.locator("#errors");
        expect(await errors.innerText()).toContain("retrieve_running_jobs: squeue exited with status 1: squeue: error: Unable to contact slurm controller");
        const above = await w.page.evaluate(
          '!!(document.getElementById("errors").compareDocumentPosition(document.getElementById("accounts-read")) & Node.DOCUMENT_POSITION_FOLLOWING)',
        );
        expect(above).toBe(true);
        expect(await w.page.locator("#stages tbody tr th").first().innerText()).toBe("retrieve_running_jobs");
        const row = w.page.getByRole("row", { name: /^retrieve_running_jobs / });
        expect(await row.locator("td.bad").innerText()).toContain("Unable to contact slurm controller");
        expect(await w.page.locator("#accounts-read").innerText()).toContain("none");
        expect(await ranking(w.page, "processes-read")).toEqual([
          ["1", "dd", "700 KiB/s"],
          ["2", "rsync", "100 KiB/s"],
        ]);
        await screenshot(w.page, "cluster-stage-failed");
        await w.page.setViewportSize({ width: 390, height: 844 });
        await expectPhoneLayout(w, "cluster-stage-failed");
        expectClean(w);
      });
    } finally {
      bin.script("squeue", SQUEUE);
      await scrapeMetrics();
    }
  }, 30_000);

  test("readable on a phone: no horizontal scroll of the page; wide tables scroll in their own box and take focus", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      expect(await w.page.locator("#scrape").innerText()).toContain("every stage succeeded");
      expect(await w.page.locator("#errors").count()).toBe(0);
      await expectPhoneLayout(w, "cluster");
      expectClean(w);
    }, { width: 390, height: 844 });
  }, 30_000);

  test("accessible: names on links and tables; contrast in light and dark; Tab walks the links in order with a visible focus", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      await expectAccessible(w, "cluster", `//127.0.0.1:${agent.ports.push}/`, "Accounts by read");
      expectClean(w);
    });
  }, 30_000);
});
