// node_exporter vs the agent's node role on this host, side by side and interleaved: both serve the same
// collectors (--collector.disable-defaults plus the default-on collectors both know), and for each we print
// median scrape latency, CPU time per scrape (utime+stime deltas from /proc/<pid>/stat), CPU per 15 s interval at a
// real scrape cadence (what a host pays, idle time included: after the burst, and for a fresh pair scraped only
// every 15 s), RSS (after the burst, and of the fresh pair) and body size,
// then the agent/node_exporter ratios. `bun bench/run.ts node` (or `bun bench/node/run.ts [rounds]`).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAgent, REPO_ROOT } from "../../test/harness/index.ts";
import { startNodeExporter } from "../../test/node/node-exporter.ts";
import { cpuSeconds, rssKiB } from "../proc.ts";
import { sharedCollectors } from "./collectors.ts";

const ROUNDS = Number(process.argv[2] ?? 200);
/** 15 s intervals measured at the end, one scrape each (CADENCE_INTERVALS=0 skips it). */
const CADENCE_INTERVALS = Number(process.env.CADENCE_INTERVALS ?? 8);
const WARMUP_ROUNDS = 2000;

function rssMiB(pid: number): number {
  return rssKiB(pid) / 1024;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Side {
  name: string;
  url: string;
  pid: number;
  latencies: number[];
  bytes: number;
  families: number;
  cpu0: number;
}

/** The two sides of one node_exporter/agent pair, in that order. */
function pairSides(ne: { url: string; proc: { pid: number } }, agent: { urls: Record<string, string>; proc: { pid: number } }): Side[] {
  return [
    { name: "node_exporter", url: ne.url, pid: ne.proc.pid, latencies: [], bytes: 0, families: 0, cpu0: 0 },
    { name: "agent node", url: agent.urls.node!, pid: agent.proc.pid, latencies: [], bytes: 0, families: 0, cpu0: 0 },
  ];
}

/** CADENCE_INTERVALS intervals of 15 s, each starting with one scrape of every side; `after(i)` ends each. */
async function cadence(sides: readonly Side[], after?: (interval: number) => void): Promise<void> {
  for (let i = 0; i < CADENCE_INTERVALS; i++) {
    const started = performance.now();
    for (const s of sides) await scrapeOnce(s);
    await Bun.sleep(Math.max(0, 15000 - (performance.now() - started)));
    after?.(i);
  }
}

async function scrapeOnce(side: Side): Promise<void> {
  const t = performance.now();
  const body = await (await fetch(`${side.url}/metrics`)).text();
  side.latencies.push(performance.now() - t);
  side.bytes = body.length;
  side.families = (body.match(/^# TYPE node_/gm) ?? []).length;
}

const { names: shared, flags } = sharedCollectors();
console.log(`collectors on both sides (${shared.length}): ${shared.join(",")}`);
console.log(`rounds: ${ROUNDS}, interleaved; binary: ${process.env.AGENT_BIN ?? "dist/agent"}`);

const ne = await startNodeExporter(flags);
const agent = await startAgent({ roles: ["node"], args: flags });
let freshNe: Awaited<ReturnType<typeof startNodeExporter>> | undefined;
let freshAgent: Awaited<ReturnType<typeof startAgent>> | undefined;
try {
  const sides = pairSides(ne, agent);
  // Warm-up: steady state is what a host sees (a scrape every 15 s for months), so JIT tiering is excluded.
  // Each collector's collect() runs once per scrape, so JSC tiers it up to DFG and FTL only after hundreds to
  // thousands of scrapes (measured with BUN_JSC_reportDFGCompileTimes/reportFTLCompileTimes, DFG+FTL compile
  // time per 500 scrapes: 370 ms in scrapes 0-499, 131, 96, then 30, 33, 63, 29 and 0 in scrapes 3500-3999);
  // fewer warm-up rounds would charge that one-time compilation to every scrape measured.
  const startRss = sides.map((s) => rssMiB(s.pid));
  for (let i = 0; i < WARMUP_ROUNDS; i++) for (const s of sides) await scrapeOnce(s);
  for (const s of sides) {
    s.latencies = [];
    s.cpu0 = cpuSeconds(s.pid);
  }
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const s of order) await scrapeOnce(s);
  }
  const burst = sides.map((s) => ({
    name: s.name,
    medianMs: median(s.latencies),
    cpuMsPerScrape: ((cpuSeconds(s.pid) - s.cpu0) * 1000) / ROUNDS,
    rssBurstMiB: rssMiB(s.pid),
    bytes: s.bytes,
    families: s.families,
  }));
  // RSS as a host scraped every 15 s sees it: after the scrapes pause (the agent collects garbage then).
  await Bun.sleep(2500);
  const rssAfter = sides.map((s) => rssMiB(s.pid));
  // CPU at a real cadence: a host is scraped every 15 s and spends most of its life between scrapes, where a
  // runtime's timers (GC, JIT) cost what back-to-back scrapes never show. Process CPU includes exited threads.
  const cadence0 = sides.map((s) => cpuSeconds(s.pid));
  await cadence(sides);
  const cpuPer15s = sides.map((s, i) => ((cpuSeconds(s.pid) - cadence0[i]!) * 1000) / CADENCE_INTERVALS);
  const rssCadence = sides.map((s) => (CADENCE_INTERVALS > 0 ? rssMiB(s.pid) : NaN));
  // RSS as a host sees it: a second, fresh pair that only ever gets the 15 s scrapes (the burst above
  // spreads the agent's heap over more pages than a host's scrapes ever do). It runs after the first pair's
  // cadence, not beside it, so that neither pair's CPU figures carry the other's. By its end the agent has
  // released its start-up pages (--memory.release-startup-pages, 30 s) and faulted back what scrapes use.
  // Its CPU per 15 s leaves out the first interval (start-up and the first, cold compilations): what a host
  // pays from then on. The first pair's figure above carries the burst's heap, which mimalloc goes on
  // sweeping (its scavenger thread: ~10 ms per 15 s after the burst against ~3 ms without one).
  let rssOnlyCadence = [NaN, NaN];
  let cpuPer15sFresh = [NaN, NaN];
  if (CADENCE_INTERVALS > 1) {
    freshNe = await startNodeExporter(flags);
    freshAgent = await startAgent({ roles: ["node"], args: flags });
    const fresh = pairSides(freshNe, freshAgent);
    let afterFirst: number[] = [];
    await cadence(fresh, (i) => {
      if (i === 0) afterFirst = fresh.map((s) => cpuSeconds(s.pid));
    });
    rssOnlyCadence = fresh.map((s) => rssMiB(s.pid));
    cpuPer15sFresh = fresh.map((s, i) => ((cpuSeconds(s.pid) - afterFirst[i]!) * 1000) / (CADENCE_INTERVALS - 1));
  }
  const rows = burst.map((r, i) => {
    const cpuMsPer15s = cpuPer15s[i]!;
    const idleMsPerSecond = Math.max(0, cpuMsPer15s - r.cpuMsPerScrape) / 15;
    return {
      ...r,
      rssStartMiB: startRss[i]!,
      rssMiB: rssAfter[i]!,
      rssCadenceMiB: rssCadence[i]!,
      rssOnlyCadenceMiB: rssOnlyCadence[i]!,
      idleMsPerSecond,
      cpuMsPer15s,
      cpuMsPer15sFresh: cpuPer15sFresh[i]!,
    };
  });
  const pad = (x: string | number, n: number) => String(x).padStart(n);
  console.log(`\n${"".padEnd(14)}${pad("median ms", 11)}${pad("cpu ms/scrape", 15)}${pad("idle ms/s", 11)}${pad("ms per 15 s", 13)}${pad("15 s, fresh", 13)}${pad("RSS MiB", 10)}${pad("RSS cadence", 13)}${pad("RSS 15s only", 14)}${pad("RSS in burst", 14)}${pad("RSS at start", 14)}${pad("bytes", 9)}${pad("node_ families", 16)}`);
  for (const r of rows) {
    console.log(`${r.name.padEnd(14)}${pad(r.medianMs.toFixed(2), 11)}${pad(r.cpuMsPerScrape.toFixed(2), 15)}${pad(r.idleMsPerSecond.toFixed(2), 11)}${pad(r.cpuMsPer15s.toFixed(1), 13)}${pad(r.cpuMsPer15sFresh.toFixed(1), 13)}${pad(r.rssMiB.toFixed(1), 10)}${pad(r.rssCadenceMiB.toFixed(1), 13)}${pad(r.rssOnlyCadenceMiB.toFixed(1), 14)}${pad(r.rssBurstMiB.toFixed(1), 14)}${pad(r.rssStartMiB.toFixed(1), 14)}${pad(r.bytes, 9)}${pad(r.families, 16)}`);
  }
  const [n, a] = rows as [(typeof rows)[0], (typeof rows)[0]];
  const ratios = {
    latency: a.medianMs / n.medianMs,
    cpuPerScrape: a.cpuMsPerScrape / n.cpuMsPerScrape,
    cpuPer15s: a.cpuMsPer15s / n.cpuMsPer15s,
    cpuPer15sFresh: a.cpuMsPer15sFresh / n.cpuMsPer15sFresh,
    rss: a.rssMiB / n.rssMiB,
    rssCadence: a.rssCadenceMiB / n.rssCadenceMiB,
    rssOnlyCadence: a.rssOnlyCadenceMiB / n.rssOnlyCadenceMiB,
    bytes: a.bytes / n.bytes,
  };
  console.log(
    `\nratios agent/node_exporter: latency ${ratios.latency.toFixed(2)}, CPU per scrape ${ratios.cpuPerScrape.toFixed(2)} (target <= 0.30), ` +
      `CPU per 15 s interval at a real cadence ${ratios.cpuPer15s.toFixed(2)} (after the burst) and ${ratios.cpuPer15sFresh.toFixed(2)} (fresh; target <= 1.0), RSS after the burst ${ratios.rss.toFixed(2)} (agent ${a.rssMiB.toFixed(1)} MiB), ` +
      `RSS after burst and cadence ${ratios.rssCadence.toFixed(2)} (agent ${a.rssCadenceMiB.toFixed(1)} MiB), ` +
      `RSS scraped only every 15 s ${ratios.rssOnlyCadence.toFixed(2)} (agent ${a.rssOnlyCadenceMiB.toFixed(1)} MiB, target <= 32 MiB), bytes ${ratios.bytes.toFixed(2)}`,
  );
  const dir = join(REPO_ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `node-${Date.now()}.json`), JSON.stringify({ rounds: ROUNDS, collectors: shared, rows, ratios }, null, 2));
} finally {
  await freshAgent?.stop();
  await freshNe?.stop();
  await agent.stop();
  await ne.stop();
}
