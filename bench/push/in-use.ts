// The push role's memory in use beside Pushgateway's (issue 17 item 3): each side starts empty, takes N groups
// of 10 series from 8 clients (empty RSS read 33 s after start), is scraped 3 times, and settles for 15 s;
// RSS per stored series is (RSS then - RSS empty) / series. RSS is split into anonymous memory (the heap) and
// file pages (the agent's: LMDB's mapped file and the executable), read from /proc/<pid>/status. Pushgateway
// runs without its consistency check here (see below).
// `bun bench/push/in-use.ts [groups...]` (default 1,000 and 20,000); bench/push/run.ts runs it last.
import { startAgent, startPushgateway, statusKiB } from "../../test/harness/index.ts";
import { benchGroupPath, fillGroups, putGroup, twoFamilyBody } from "../push-load.ts";

const CLIENTS = 8;
const SCRAPES = 3;
const SETTLE_MS = 15_000;
const SERIES_PER_GROUP = 10;

interface Memory {
  rss: number;
  anon: number;
  file: number;
}

function memory(pid: number): Memory {
  return { rss: statusKiB(pid, "VmRSS") * 1024, anon: statusKiB(pid, "RssAnon") * 1024, file: (statusKiB(pid, "RssFile") + statusKiB(pid, "RssShmem")) * 1024 };
}

export interface InUseRow {
  groups: number;
  side: "agent" | "pushgateway";
  empty: Memory;
  inUse: Memory;
  /** (RSS in use - RSS empty) per stored series. */
  perSeries: number;
  anonPerSeries: number;
  filePerSeries: number;
  firstScrapeMs: number;
  scrapeMs: number;
}

/** Past the agent's --memory.release-startup-pages (30 s), so the empty figure holds no start-up pages. */
const EMPTY_SETTLE_MS = 33_000;

async function measure(side: InUseRow["side"], groups: number, url: string, pid: number): Promise<InUseRow> {
  await Bun.sleep(EMPTY_SETTLE_MS);
  const empty = memory(pid);
  await fillGroups(groups, CLIENTS, (i) => putGroup(url, benchGroupPath(i), twoFamilyBody(0)));
  const times: number[] = [];
  for (let k = 0; k < SCRAPES; k++) {
    const t = performance.now();
    await (await fetch(`${url}/metrics`)).arrayBuffer();
    times.push(performance.now() - t);
  }
  await Bun.sleep(SETTLE_MS);
  const inUse = memory(pid);
  const series = groups * SERIES_PER_GROUP;
  return {
    groups,
    side,
    empty,
    inUse,
    perSeries: (inUse.rss - empty.rss) / series,
    anonPerSeries: (inUse.anon - empty.anon) / series,
    filePerSeries: (inUse.file - empty.file) / series,
    firstScrapeMs: times[0]!,
    scrapeMs: times[times.length - 1]!,
  };
}

export async function inUse(sizes: readonly number[], bin?: string): Promise<InUseRow[]> {
  const rows: InUseRow[] = [];
  for (const groups of sizes) {
    const agent = await startAgent({ roles: ["push"], bin });
    try {
      rows.push(await measure("agent", groups, agent.urls.push!, agent.proc.pid));
    } finally {
      await agent.stop();
    }
    // Unchecked: with its consistency check, each push re-gathers the whole store and 20,000 take hours; the
    // check keeps nothing in memory.
    const pg = await startPushgateway({ args: ["--push.disable-consistency-check"] });
    try {
      rows.push(await measure("pushgateway", groups, pg.url, pg.pid));
    } finally {
      await pg.stop();
    }
  }
  const MiB = (n: number) => (n / 1048576).toFixed(1);
  console.log(`\nmemory in use: ${CLIENTS} clients fill, ${SCRAPES} scrapes, ${SETTLE_MS / 1000} s to settle`);
  console.log("groups  side         RSS empty MiB  RSS in use MiB  (anon  file)  B/series  (anon  file)  1st scrape ms  3rd ms");
  for (const r of rows) {
    console.log(
      `${String(r.groups).padEnd(8)}${r.side.padEnd(13)}${MiB(r.empty.rss).padStart(13)}${MiB(r.inUse.rss).padStart(16)}${MiB(r.inUse.anon).padStart(7)}${MiB(r.inUse.file).padStart(6)}` +
        `${r.perSeries.toFixed(0).padStart(10)}${r.anonPerSeries.toFixed(0).padStart(7)}${r.filePerSeries.toFixed(0).padStart(6)}${r.firstScrapeMs.toFixed(0).padStart(15)}${r.scrapeMs.toFixed(0).padStart(8)}`,
    );
  }
  for (const groups of sizes) {
    const ag = rows.find((r) => r.groups === groups && r.side === "agent")!;
    const pg = rows.find((r) => r.groups === groups && r.side === "pushgateway")!;
    console.log(`  ${groups} groups: agent RSS per series in use ${ag.perSeries.toFixed(0)} B (target <= 512), agent / Pushgateway ${(ag.perSeries / pg.perSeries).toFixed(2)}`);
  }
  return rows;
}

if (import.meta.main) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  await inUse(sizes.length ? sizes : [1000, 20000], process.env.AGENT_BIN);
}
