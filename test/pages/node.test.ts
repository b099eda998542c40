/**
 * The node role's page in headless Chromium against the compiled agent, with basic auth on, on a fixture
 * host: the collectors' captured procfs/sysfs trees (with /proc/stat, /proc/net/dev and /proc/diskstats
 * advanced by the test so CPU shares and throughput are known) and the fake NVML library's two GPUs. The
 * page must show those values, fill its sparklines from the role's own samples without a reload, and be
 * usable by keyboard and on a phone. With remote write configured (a real Prometheus receiver and a port
 * nothing listens on), the page also shows each queue's state.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { formatBytes } from "../../packages/core/src/pages/layout.ts";
import { buildFakeNvml } from "../../packages/node-collector/fixtures/gpu/fakes.ts";
import { standinDir } from "../cluster/standins.ts";
import { freePort, REPO_ROOT, startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";
import {
  AUTH_HEADER,
  basicAuthConfig,
  expectAccessible,
  expectClean,
  expectPhoneLayout,
  focused,
  launchBrowser,
  screenshot,
  waitForCount,
  withPage,
} from "./browser.ts";
import { FIXTURES } from "../../packages/node-collector/src/testing/golden.ts";

const MiB = 1024 * 1024;
/** Per CPU, each step of the counters: user, system, iowait and idle ticks (USER_HZ), in the ratio 3:1:1:5. */
const CPU_STEP = { user: 3, system: 1, iowait: 1, idle: 5 };
const STEPS_PER_SECOND = 10;
/** The role's sampling interval: short for the test, long enough that timing jitter stays small beside it. */
const INTERVAL_SECONDS = 2;
/** The sparklines' window: 15 minutes, or at most 300 samples. */
const WINDOW = `${(Math.min(300, (15 * 60) / INTERVAL_SECONDS) * INTERVAL_SECONDS) / 60}m`;
const ETH0_RX = 1 * MiB;
const ETH0_TX = 256 * 1024;
const VDA_READ = 2 * MiB;
const VDA_WRITE = 512 * 1024;

/**
 * A copy of the fixture procfs whose CPU, network and disk counters grow with time at the rates above. The
 * CPU counters move in whole steps of the same ratio, so the shares between any two samples are exact.
 */
function advancingProcfs(dir: string): { stop(): void } {
  cpSync(join(FIXTURES, "proc"), dir, { recursive: true, verbatimSymlinks: true });
  const stat = readFileSync(join(dir, "stat"), "utf8");
  const netdev = readFileSync(join(dir, "net/dev"), "utf8");
  const diskstats = readFileSync(join(dir, "diskstats"), "utf8");
  const put = (path: string, text: string) => {
    writeFileSync(path + ".tmp", text);
    renameSync(path + ".tmp", path);
  };
  // /proc/stat: cpuN user nice system idle iowait irq softirq steal guest guest_nice.
  const cpuLine = (line: string, k: number, cpus: number) => {
    const f = line.split(/\s+/);
    const add = (i: number, per: number) => (f[i] = String(Number(f[i]) + per * k * cpus));
    add(1, CPU_STEP.user);
    add(3, CPU_STEP.system);
    add(4, CPU_STEP.idle);
    add(5, CPU_STEP.iowait);
    return f.join(" ");
  };
  const write = (t: number) => {
    const k = Math.floor(t * STEPS_PER_SECOND);
    put(join(dir, "stat"), stat.replace(/^cpu\d* .*$/gm, (line) => cpuLine(line, k, line.startsWith("cpu ") ? 2 : 1)));
    put(
      join(dir, "net/dev"),
      netdev.replace(/^(\s*eth0:\s*)(\d+)((?:\s+\d+){7}\s+)(\d+)/m, (_, head, rx, mid, tx) => `${head}${Number(rx) + Math.floor(ETH0_RX * t)}${mid}${Number(tx) + Math.floor(ETH0_TX * t)}`),
    );
    // diskstats: major minor name reads merged sectors_read ms writes merged sectors_written ...
    put(
      join(dir, "diskstats"),
      diskstats.replace(/^(.*\svda)((?:\s+\d+){2}\s+)(\d+)((?:\s+\d+){3}\s+)(\d+)/m, (_, head, a, read, b, written) =>
        `${head}${a}${Number(read) + Math.floor((VDA_READ / 512) * t)}${b}${Number(written) + Math.floor((VDA_WRITE / 512) * t)}`,
      ),
    );
  };
  const t0 = performance.now();
  write(0);
  const timer = setInterval(() => write((performance.now() - t0) / 1000), 50);
  return { stop: () => clearInterval(timer) };
}

let browser: Browser;
let web: { path: string; remove(): void };
let work: string;
let procfs: { stop(): void };
let agent: RunningAgent;
let base: string;
let receiver: RunningPrometheus;
let nowhere: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "pages-node-"));
  web = await basicAuthConfig();
  procfs = advancingProcfs(join(work, "proc"));
  const nvml = buildFakeNvml(work);
  [receiver, nowhere] = await Promise.all([
    startPrometheus({ scrapeConfigs: [], extraArgs: ["--web.enable-remote-write-receiver"] }),
    freePort().then((port) => `http://127.0.0.1:${port}/api/v1/write`),
  ]);
  const remoteWrite = {
    remote_write: [
      { url: `${receiver.url}/api/v1/write`, name: "central" },
      { url: nowhere, name: "nowhere", queue_config: { max_bytes: "64MiB" } },
    ],
    remote_write_interval: "1s",
  };
  writeFileSync(join(work, "agent.yml"), JSON.stringify(remoteWrite));
  [browser, agent] = await Promise.all([
    launchBrowser(),
    startAgent({
      roles: ["node", "push"],
      args: [
        `--config.file=${join(work, "agent.yml")}`,
        `--web.config.file=${web.path}`,
        `--path.procfs=${join(work, "proc")}`,
        `--path.sysfs=${FIXTURES}/sys`,
        `--path.rootfs=${FIXTURES}`,
        `--collector.gpu.nvml-library=${nvml}`,
        `--node.history-interval=${INTERVAL_SECONDS}s`,
      ],
      probe: { headers: AUTH_HEADER },
    }),
  ]);
  base = agent.urls.node!;
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  await receiver?.stop();
  await browser?.close();
  procfs?.stop();
  web?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function served(): Promise<string> {
  const r = await fetch(base + "/metrics", { headers: AUTH_HEADER });
  expect(r.status).toBe(200);
  return r.text();
}

/** The value of the sample `name{...labels}` in exposition text. */
function valueOf(text: string, name: string, labels: Record<string, string>): number {
  const line = text.split("\n").find((l) => l.startsWith(name + "{") && Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  if (!line) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
  return Number(line.slice(line.lastIndexOf(" ") + 1));
}

/** Coordinates in a sparkline's line path: one per sample with a value. */
async function points(page: Page, selector: string): Promise<number> {
  const d = (await page.locator(`${selector} figure.spark path.line`).first().getAttribute("d")) ?? "";
  return (d.match(/[ML]/g) ?? []).length;
}

/** "1.00 MiB/s" -> bytes per second. */
function parseRate(text: string): number {
  const m = /([\d.]+) (B|KiB|MiB|GiB)\/s/.exec(text);
  if (!m) throw new Error(`no rate in ${JSON.stringify(text)}`);
  return Number(m[1]) * 1024 ** ["B", "KiB", "MiB", "GiB"].indexOf(m[2]!);
}

/**
 * A rate is two samples 2 s apart, each stamped when its scrape ends, of counters this process rewrites on a
 * 50 ms timer that slips while it drives the browser (a 25 % bound failed once in a quiet full run); a unit or
 * scale mistake (bits for bytes, per interval for per second) is off by 2x or more.
 */
const near = (actual: number, expected: number) => Math.abs(actual - expected) <= expected * 0.4;

describe("node page", () => {
  test("needs the credentials", async () => {
    expect((await fetch(base + "/")).status).toBe(401);
    expect((await fetch(base + "/metrics")).status).toBe(401);
  });

  test("shows the fixture host: memory, load, filesystems, GPUs and every collector's outcome; no console errors, no foreign requests", async () => {
    await withPage(browser, base, async (w) => {
      const res = await w.page.goto(base + "/");
      expect(res?.headers()["content-security-policy"]).toContain("default-src 'none'");
      const header = w.page.locator("header.top");
      const version = ((await Bun.file(join(REPO_ROOT, "package.json")).json()) as { version: string }).version;
      expect(await header.locator('[data-fact="version"]').innerText()).toBe(version);
      expect(await header.locator('[data-fact="roles"]').innerText()).toBe("node, push");
      expect(await header.locator('[data-fact="uptime"]').innerText()).toMatch(/^\d+[smh]/);
      expect(await header.getByRole("link", { name: "Metrics" }).getAttribute("href")).toBe("/metrics");
      expect(await header.getByRole("link", { name: /push role/ }).getAttribute("href")).toBe(`//127.0.0.1:${agent.ports.push}/`);

      // meminfo and loadavg as captured.
      const meminfo = readFileSync(join(FIXTURES, "proc/meminfo"), "utf8");
      const kB = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(meminfo)![1]) * 1024;
      const memory = await w.page.locator("#card-memory").innerText();
      expect(memory).toContain(`${formatBytes(kB("MemTotal") - kB("MemAvailable"))} of ${formatBytes(kB("MemTotal"))}`);
      // The breakdown as `free` makes it: cache is Cached plus SReclaimable, programs what remains.
      const cache = kB("Cached") + kB("SReclaimable");
      const programs = kB("MemTotal") - kB("MemFree") - kB("Buffers") - cache;
      expect(await w.page.locator('#card-memory [data-part="memory"]').innerText()).toBe(
        `programs ${formatBytes(programs)} · cache ${formatBytes(cache)} (shared ${formatBytes(kB("Shmem"))}) · buffers ${formatBytes(kB("Buffers"))} · free ${formatBytes(kB("MemFree"))}`,
      );

      // The inventory, from the fixture procfs: kernel release, CPU model, uptime since btime.
      const facts = w.page.locator("#host-facts");
      expect(await facts.locator('[data-fact="kernel"]').innerText()).toBe(readFileSync(join(FIXTURES, "proc/sys/kernel/osrelease"), "utf8").trim());
      expect(await facts.locator('[data-fact="cpu"]').innerText()).toBe("Intel(R) Xeon(R) Processor × 2");
      const btime = Number(/^btime (\d+)$/m.exec(readFileSync(join(FIXTURES, "proc/stat"), "utf8"))![1]);
      const days = Math.floor((Date.now() / 1000 - btime) / 86400);
      expect(await facts.locator('[data-fact="uptime"]').innerText()).toMatch(new RegExp(`^${days} days?, \\d+[hms]`));
      expect(await facts.locator('[data-fact="memory"]').innerText()).toBe(`${formatBytes(kB("MemTotal"))}, swap ${formatBytes(kB("SwapTotal"))}`);

      // Sparklines carry their scale and peak, in the card's unit.
      expect(await w.page.locator("#card-memory figcaption").innerText()).toMatch(/^peak [\d.]+ %\s+scale 0\.0 % to 100\.0 %$/);
      expect(await w.page.locator("#card-load figcaption").innerText()).toMatch(/^peak [\d.]+\s+scale 0\.00 to (1|2|5)(0*)\.00$/);
      const load = readFileSync(join(FIXTURES, "proc/loadavg"), "utf8").split(" ").slice(0, 3).map(Number);
      expect(await w.page.locator("#card-load .value").innerText()).toBe(load.map((v) => v.toFixed(2)).join(" "));
      expect(await w.page.locator("#card-cpu .label").first().innerText()).toBe("CPU busy (2 CPUs)");
      expect(await w.page.locator("#overview").innerText()).toContain(`Sampled every ${INTERVAL_SECONDS}s; sparklines cover the last ${WINDOW}`);

      // The captured mount table's root filesystem, filled as the filesystem collector measures it.
      const root = w.page.getByRole("row", { name: /^\/ \/dev\/vda ext4/ });
      const text = await served();
      const fill = 1 - valueOf(text, "node_filesystem_avail_bytes", { mountpoint: "/" }) / valueOf(text, "node_filesystem_size_bytes", { mountpoint: "/" });
      const shown = Number(/([\d.]+) %/.exec(await root.innerText())![1]);
      expect(Math.abs(shown - fill * 100)).toBeLessThan(0.5);
      // the meter carries the fill to the whole percent, the text to a tenth: the same fill rounded twice
      expect(Math.abs(Number(await root.getByRole("meter").getAttribute("aria-valuenow")) - shown)).toBeLessThanOrEqual(0.5);

      // The fake NVML's two GPUs: name, utilisation, memory, temperature, power.
      const h100 = w.page.locator("#gpu-00000000-0000-0000-0000-000000000000");
      expect(await h100.innerText()).toContain("NVIDIA H100 80GB HBM3");
      expect(await h100.locator(".value").innerText()).toBe("0.0 % busy");
      expect(await h100.innerText()).toMatch(/memory 0 B of 79\.6 GiB \(0\.0 %\) · 41 °C · 69\.[89] W/);
      const rtx = w.page.locator("#gpu-00000001-0000-0000-0000-000000000001");
      expect(await rtx.innerText()).toContain("NVIDIA GeForce RTX 2080 SUPER");
      expect(await rtx.innerText()).toContain("memory 214 MiB of 8.00 GiB (2.6 %) · 40 °C · 39.3 W");
      for (const what of ["utilization", "memory used", "temperature", "power"]) {
        await expect(rtx.getByRole("img", { name: `NVIDIA GeForce RTX 2080 SUPER ${what}, last ${WINDOW}` }).count()).resolves.toBe(1);
      }

      // One row per enabled collector, each with the outcome /metrics reports for it.
      const outcomes = text
        .split("\n")
        .filter((l) => l.startsWith("node_scrape_collector_success{"))
        .map((l) => [/collector="([^"]+)"/.exec(l)![1]!, l.endsWith(" 1") ? "success" : "failed"]);
      expect(outcomes.length).toBeGreaterThan(40);
      // None failed: the table lists none until asked for all of them.
      expect(await w.page.locator("#collectors").innerText()).toContain(`${outcomes.length} collectors enabled; 0 failed`);
      expect(await w.page.locator("#collectors tbody tr").count()).toBe(0);
      await w.page.getByRole("link", { name: `Show all ${outcomes.length} collectors` }).click();
      await w.page.waitForURL((u) => u.searchParams.get("collectors") === "all");
      await waitForCount(w.page, "#collectors tbody tr", outcomes.length);
      const rows = await w.page.locator("#collectors tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelectorAll("td")[1]?.textContent]));
      expect(rows).toEqual(outcomes.sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
      expect(rows.map((r) => r[0])).toContain("gpu");
      for (const r of await w.page.locator("#collectors tbody td.num").allInnerTexts()) expect(r).toMatch(/^\d+\.\d ms$/);

      await screenshot(w.page, "node-desktop");
      expectClean(w);
    });
  }, 30_000);

  test("CPU busy by mode, network and disk throughput follow the advancing counters; sparklines fill in without a reload", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      await w.page.evaluate("window.stillThisDocument = true");
      // The page updates its regions every 5 s from the role's samples.
      const until = Date.now() + 30_000;
      while ((await points(w.page, "#card-cpu")) < 4 && Date.now() < until) await Bun.sleep(250);
      expect(await w.page.evaluate("window.stillThisDocument")).toBe(true);

      expect(await w.page.locator("#card-cpu .value").innerText()).toBe("50.0 %");
      expect(await w.page.locator("#card-cpu").innerText()).toContain("by mode: user 30.0 % · iowait 10.0 % · system 10.0 %");

      const eth0 = await w.page.getByRole("row", { name: /^eth0 / }).locator("td").allInnerTexts();
      expect(near(parseRate(eth0[0]!), ETH0_RX)).toBe(true);
      expect(near(parseRate(eth0[1]!), ETH0_TX)).toBe(true);
      const vda = await w.page.getByRole("row", { name: /^vda / }).locator("td").allInnerTexts();
      expect(near(parseRate(vda[0]!), VDA_READ)).toBe(true);
      expect(near(parseRate(vda[1]!), VDA_WRITE)).toBe(true);
      const [netIn, netOut] = (await w.page.locator("#card-network .value").innerText()).split(" / ");
      expect(near(parseRate(netIn!), ETH0_RX)).toBe(true);
      expect(near(parseRate(netOut!), ETH0_TX)).toBe(true);

      // Every overview series has several points; rates start one sample later than levels.
      for (const card of ["#card-memory", "#card-load", "#card-network", "#card-disk", "#gpu-00000000-0000-0000-0000-000000000000"]) {
        expect(await points(w.page, card)).toBeGreaterThanOrEqual(4);
      }
      expect(await points(w.page, 'tr:has(th:text-is("/"))')).toBeGreaterThanOrEqual(4);
      expect(await w.page.getByRole("img", { name: `CPU busy, last ${WINDOW}` }).count()).toBe(1);
      await screenshot(w.page, "node-live");
      expectClean(w);
    });
  }, 40_000);

  test("each remote-write queue: name, URL, pending samples, queue bytes of its maximum, last accepted, last error, as /metrics counts them", async () => {
    // The receiver has stored a collection: the central queue has had a request accepted.
    await receiver.waitFor('count(node_load1{job="node"})', (r) => r.length === 1);
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const section = w.page.locator("#remote-write");
      expect(await section.getByRole("heading", { name: "Remote write" }).count()).toBe(1);
      expect(await section.innerText()).toContain("Every role's metrics are collected every 1s and queued for each receiver.");
      const cells = (name: string) => section.getByRole("row", { name: new RegExp(`^${name} `) }).locator("td").allInnerTexts();
      const [central, unreachable] = [await cells("central"), await cells("nowhere")];
      const text = await served();
      // Name, URL, pending, queue, sent, retried, failed, dropped, last accepted, last error.
      expect(central[1]).toBe(`${receiver.url}/api/v1/write`);
      expect(central[3]).toEndWith(` of ${formatBytes(256 * MiB)}`);
      expect(central[8]).toMatch(/^(\d+[hms])+ ago$/);
      expect(central[9]).toBe("–");
      expect(unreachable[1]).toBe(nowhere);
      // Nothing reaches it, so every collection since the start waits, and keeps waiting between the two reads.
      expect(Number(unreachable[2])).toBeGreaterThan(0);
      expect(Number(unreachable[2])).toBeLessThanOrEqual(valueOf(text, "prometheus_remote_storage_samples_pending", { remote_name: "nowhere" }));
      expect(unreachable[3]).toEndWith(` of ${formatBytes(64 * MiB)}`);
      expect(unreachable[8]).toBe("never");
      expect(unreachable[9]).toMatch(/.+ \((\d+[hms])+ ago\)$/);
      expectClean(w);
    });
  }, 30_000);

  test("readable on a phone: no horizontal scroll of the page; wide tables scroll in their own box and take focus", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      await expectPhoneLayout(w, "node");
      expectClean(w);
    }, { width: 390, height: 844 });
  }, 30_000);

  test("accessible: names on links, charts and meters; contrast in light and dark; Tab walks the links in order with a visible focus, which a live update keeps", async () => {
    await withPage(browser, base, async (w) => {
      await w.page.goto(base + "/");
      const stops = await expectAccessible(w, "node", `//127.0.0.1:${agent.ports.push}/`, "Filesystems");

      // The next live update replaces the region holding the focus: the focus stays on the same box.
      await w.page.evaluate('document.getElementById("overview").dataset.stale = "1"');
      await w.page.locator("#overview[data-stale]").waitFor({ state: "detached", timeout: 10_000 });
      expect(await focused(w.page)).toEqual(stops[3]!);
      expectClean(w);
    });
  }, 30_000);
});

describe("node page with a collector that hangs, on the unchanging fixture procfs", () => {
  const bin = standinDir("pages-node-smi-");
  let stuck: RunningAgent;

  beforeAll(async () => {
    bin.script("nvidia-smi", "exec sleep 600");
    stuck = await startAgent({
      roles: ["node"],
      args: [
        `--web.config.file=${web.path}`,
        `--path.procfs=${FIXTURES}/proc`,
        `--path.sysfs=${FIXTURES}/sys`,
        `--path.rootfs=${FIXTURES}`,
        "--collector.disable-defaults",
        "--collector.cpu",
        "--collector.meminfo",
        "--collector.gpu",
        "--collector.timeout=1s",
        "--collector.gpu.nvml-library=/nonexistent/libnvidia-ml.so.1",
        `--collector.gpu.nvidia-smi-command=${join(bin.dir, "nvidia-smi")}`,
        "--node.history-interval=1s",
      ],
      probe: { headers: AUTH_HEADER },
    });
  }, 30_000);

  afterAll(async () => {
    await stuck?.stop();
    bin.remove();
  });

  test("the collector table marks it failed and counts it; CPU says no time was counted rather than waiting for a sample", async () => {
    const url = stuck.urls.node!;
    await withPage(browser, url, async (w) => {
      // Samples take the 1 s collector timeout each; the CPU card needs two of them.
      const until = Date.now() + 15_000;
      let cpu = "";
      while (Date.now() < until) {
        await w.page.goto(url + "/");
        cpu = await w.page.locator("#card-cpu").innerText();
        if (!cpu.includes("needs two samples")) break;
        await Bun.sleep(500);
      }
      expect(cpu).toContain("no CPU time counted since the last sample");
      expect(await w.page.locator("#card-cpu .value").innerText()).toBe("–");
      const rowsOf = () => w.page.locator("#collectors tbody tr").evaluateAll((trs) => trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelectorAll("td")[1]?.textContent]));
      expect(await rowsOf()).toEqual([["gpu", "failed"]]);
      await w.page.goto(url + "/?collectors=all");
      // All of them, the failed one first.
      expect(await rowsOf()).toEqual([
        ["gpu", "failed"],
        ["cpu", "success"],
        ["meminfo", "success"],
      ]);
      expect(await w.page.getByRole("row", { name: /^gpu / }).locator("td.bad").count()).toBe(1);
      expect(await w.page.locator("#collectors").innerText()).toContain("3 collectors enabled; 1 failed");
      expect(await w.page.getByRole("heading", { name: "GPUs" }).count()).toBe(0);
      await screenshot(w.page, "node-collector-failed");
      expectClean(w);
    });
  }, 30_000);
});
