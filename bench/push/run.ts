// Pushgateway vs the agent's push role, side by side: push latency (p50/p99, sequential) and throughput
// (16 in flight) at 100, 1,000 and 20,000 groups of 10 series, scrape latency and bytes, RSS per series, and
// restart-to-ready over the stored groups. `bun bench/run.ts push` or `bun bench/push/run.ts [sizes...]`.
//
// Filling Pushgateway to 20,000 groups with its consistency check on would take hours (each push re-gathers
// the whole store), so it is filled with the check off, restarted from its persistence file, and measured
// with the check on, which is how it runs in production. The push role is filled and measured as it runs.
// Both sides hold the same groups when measured; one runs at a time (this machine's cores are shared).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, startAgent, startPushgateway, waitForHttp } from "../../test/harness/index.ts";
import { rssKiB } from "../proc.ts";
import { benchGroupPath as groupPath, twoFamilyBody as body } from "../push-load.ts";
import { inUse } from "./in-use.ts";

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (SIZES.length === 0) SIZES.push(100, 1000, 20000);
const SERIES_PER_GROUP = 10;
/** Sequential pushes timed per size, and the most seconds to spend on them per side. */
const LATENCY_PUSHES = 200;
const LATENCY_BUDGET_S = 15;
const THROUGHPUT_S = 3;
const IN_FLIGHT = 16;

const rssBytes = (pid: number) => rssKiB(pid) * 1024;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

async function push(url: string, i: number, seq: number): Promise<number> {
  const r = await fetch(url + groupPath(i), { method: "PUT", body: body(seq) });
  await r.arrayBuffer();
  if (r.status >= 300) throw new Error(`push to ${url} answered ${r.status}`);
  return r.status;
}

/** Pushes groups [from, to) with `parallel` requests in flight. */
async function fill(url: string, from: number, to: number, parallel = IN_FLIGHT): Promise<void> {
  let next = from;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < to) await push(url, next++, 0);
    }),
  );
}

async function latency(url: string, groups: number): Promise<{ p50: number; p99: number; n: number }> {
  const times: number[] = [];
  const until = performance.now() + LATENCY_BUDGET_S * 1000;
  for (let k = 0; k < LATENCY_PUSHES && performance.now() < until; k++) {
    const t = performance.now();
    await push(url, (k * 7919) % groups, k + 1);
    times.push(performance.now() - t);
  }
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), n: times.length };
}

async function throughput(url: string, groups: number): Promise<number> {
  let done = 0;
  const until = performance.now() + THROUGHPUT_S * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async (_, w) => {
      for (let k = w; performance.now() < until; k += IN_FLIGHT) {
        await push(url, (k * 104729) % groups, k + 1);
        done++;
      }
    }),
  );
  return done / ((performance.now() - start) / 1000);
}

async function scrape(url: string): Promise<{ ms: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    const text = await fetch(`${url}/metrics`).then((r) => r.text());
    times.push(performance.now() - t);
    bytes = text.length;
  }
  return { ms: quantile(times, 0.5), bytes };
}

/** RSS once the process has settled (the agent collects the garbage of loading a second after start). */
async function settledRss(pid: number): Promise<number> {
  await Bun.sleep(3000);
  return rssBytes(pid);
}

interface Row {
  groups: number;
  side: "pushgateway" | "agent";
  pushP50Ms: number;
  pushP99Ms: number;
  pushesTimed: number;
  pushesPerSec: number;
  scrapeMs: number;
  scrapeBytes: number;
  /** Settled after restart over the stored groups, before the timed pushes. */
  rssBytes: number;
  rssPerSeriesBytes: number;
  /** After the timed pushes and scrapes. */
  rssAfterLoadBytes: number;
  restartToReadyMs: number;
  /** The push role's own log: how long reading and indexing the stored groups took. */
  storeLoadMs: number | undefined;
}

const rows: Row[] = [];
const work = mkdtempSync(join(tmpdir(), "bench-push-"));
const bin = process.env.AGENT_BIN ?? "dist/agent";
console.log(`agent binary: ${bin}; sizes: ${SIZES.join(", ")} groups of ${SERIES_PER_GROUP} series`);

async function emptyRss(): Promise<{ pg: number; agent: number }> {
  const pg = await startPushgateway();
  const agent = await startAgent({ roles: ["push"], bin });
  const [a, b] = await Promise.all([settledRss(pg.pid), settledRss(agent.proc.pid)]);
  await Promise.all([pg.stop(), agent.stop()]);
  return { pg: a, agent: b };
}

try {
  const empty = await emptyRss();
  console.log(`empty RSS: Pushgateway ${(empty.pg / 1048576).toFixed(1)} MiB, agent ${(empty.agent / 1048576).toFixed(1)} MiB`);
  for (const groups of SIZES) {
    // Pushgateway: fill unchecked, persist, restart checked.
    const persistence = join(work, `pg-${groups}.db`);
    const pg = await startPushgateway({ args: ["--push.disable-consistency-check", `--persistence.file=${persistence}`] });
    await fill(pg.url, 0, groups);
    await Bun.sleep(200);
    await pg.stop();

    const storage = join(work, `agent-${groups}`);
    mkdirSync(storage);
    const filling = await startAgent({ roles: ["push"], storagePath: storage, bin });
    await fill(filling.urls.push!, 0, groups);
    await filling.stop();

    // Each side is restarted over its stored groups and measured alone, so neither's background work
    // (Pushgateway's garbage collection after a 1.7 s scrape, say) lands in the other's figures.
    const sides = [
      {
        side: "agent" as const,
        emptyRss: empty.agent,
        start: async () => {
          const a = await startAgent({ roles: ["push"], storagePath: storage, bin, noWait: true });
          return { url: a.urls.push!, pid: a.proc.pid, stop: () => a.stop().then(() => undefined), loadMs: () => Number(/msg="push store loaded".* ms=(\d+)/.exec(a.output())?.[1]) };
        },
      },
      {
        side: "pushgateway" as const,
        emptyRss: empty.pg,
        start: async () => {
          const p = await startPushgateway({ args: [`--persistence.file=${persistence}`] });
          return { url: p.url, pid: p.pid, stop: () => p.stop(), loadMs: () => undefined };
        },
      },
    ];
    for (const { side, emptyRss, start } of sides) {
      const t = performance.now();
      const running = await start();
      await waitForHttp(`${running.url}/-/ready`, 120_000);
      const readyMs = performance.now() - t;
      const rss = await settledRss(running.pid);
      const lat = await latency(running.url, groups);
      const tput = await throughput(running.url, groups);
      const sc = await scrape(running.url);
      rows.push({
        groups,
        side,
        pushP50Ms: lat.p50,
        pushP99Ms: lat.p99,
        pushesTimed: lat.n,
        pushesPerSec: tput,
        scrapeMs: sc.ms,
        scrapeBytes: sc.bytes,
        rssBytes: rss,
        rssPerSeriesBytes: (rss - emptyRss) / (groups * SERIES_PER_GROUP),
        rssAfterLoadBytes: rssBytes(running.pid),
        restartToReadyMs: readyMs,
        storeLoadMs: running.loadMs(),
      });
      await running.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const f = (n: number, d = 1) => n.toFixed(d);
console.log("\ngroups  side         push p50 ms  p99 ms  (n)   pushes/s  scrape ms  scrape KiB  RSS MiB  RSS B/series  RSS after MiB  restart ms  (store load ms)");
for (const r of rows) {
  console.log(
    `${String(r.groups).padEnd(7)}${r.side.padEnd(13)}${f(r.pushP50Ms, 2).padStart(11)}${f(r.pushP99Ms, 2).padStart(8)}${`(${r.pushesTimed})`.padStart(6)}${f(r.pushesPerSec, 0).padStart(10)}${f(r.scrapeMs).padStart(11)}${f(r.scrapeBytes / 1024, 0).padStart(12)}${f(r.rssBytes / 1048576).padStart(9)}${f(r.rssPerSeriesBytes, 0).padStart(14)}${f(r.rssAfterLoadBytes / 1048576).padStart(15)}${f(r.restartToReadyMs, 0).padStart(12)}${r.storeLoadMs === undefined ? "" : `  (${r.storeLoadMs})`}`,
  );
}
console.log("\nratios (Pushgateway / agent; higher is better for the agent):");
for (const groups of SIZES) {
  const pg = rows.find((r) => r.groups === groups && r.side === "pushgateway")!;
  const ag = rows.find((r) => r.groups === groups && r.side === "agent")!;
  console.log(
    `  ${groups} groups: push p50 ${f(pg.pushP50Ms / ag.pushP50Ms)}x, push p99 ${f(pg.pushP99Ms / ag.pushP99Ms)}x, throughput ${f(ag.pushesPerSec / pg.pushesPerSec)}x, scrape ${f(pg.scrapeMs / ag.scrapeMs)}x, RSS ${f(pg.rssBytes / ag.rssBytes)}x`,
  );
}
const out = join(REPO_ROOT, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `push-${Date.now()}.json`), JSON.stringify(rows, null, 2));

// Memory in use (issue 17 item 3): fresh processes filled by 8 clients and scraped, at 1,000 and 20,000 groups.
const inUseRows = await inUse(SIZES.filter((n) => n >= 1000), bin);
writeFileSync(join(out, `push-in-use-${Date.now()}.json`), JSON.stringify(inUseRows, null, 2));
