// What shared storage costs, at 1,000 and 20,000 groups of 10 series: the push role on LMDB (--push.sync=flush,
// one agent), on --push.store=etcd over a local 3-member etcd cluster (Debian's etcd-server) with one agent taking
// the pushes while a second on the same prefix takes none (a replica), and with both taking them in turns (as
// behind one Service), beside Pushgateway (Debian's prometheus-pushgateway). Each store is filled before anything
// is timed; then 16 clients push for a short window, each push replacing one stored group. Every agent side
// acknowledges a push only once it is on disk (etcd: on a quorum's disks); Pushgateway only holds it in memory.
// CPU is utime + stime from /proc/<pid>/stat over the window, read once the agents fell quiet after it (a replica
// may still be applying the watch's events), per 1,000 pushes answered: the pushed-to process(es), the idle
// replica (the cost of its watch), and etcd's three members together.
// Pushgateway is filled with its consistency check off (with it on, each push re-gathers the whole store: hours
// for 20,000 groups), restarted from its persistence file, and timed with the check on, as it runs in production.
// `bun bench/run.ts push-etcd` or `bun bench/push-etcd/run.ts [groups...]`. Runs one side at a time.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, startAgent, startEtcd, startPushgateway, type RunningAgent } from "../../test/harness/index.ts";
import { cpuSeconds, untilCpuQuiet } from "../proc.ts";
import { fillGroups, pushBenchGroup as push, timedLoad, type LoadResult } from "../push-load.ts";

const SIZES = process.argv.slice(2).map(Number).filter((n) => n > 0);
if (SIZES.length === 0) SIZES.push(1000, 20000);
const CLIENTS = 16;
const SECONDS = 4;
const WARM_UP_S = 1;
const SIDES = ["lmdb", "etcd x1", "etcd x2", "pushgateway"] as const;
type Side = (typeof SIDES)[number];


/** Pushes every group once through `urls` in turn, CLIENTS at a time; seconds taken. */
async function fill(urls: string[], groups: number): Promise<number> {
  const t = performance.now();
  await fillGroups(groups, CLIENTS, (i) => push(urls[i % urls.length]!, i, 0));
  return (performance.now() - t) / 1000;
}

interface Row extends LoadResult {
  side: Side;
  groups: number;
  fillS: number;
  /** CPU ms per 1,000 pushes answered: the process(es) pushed to, an idle replica's, etcd's members together. */
  cpuMs: number;
  replicaCpuMs?: number;
  etcdCpuMs?: number;
}

interface Pids {
  pushed: number[];
  replica?: number;
  etcd?: number[];
}

/** A warm-up, then the timed window with CLIENTS pushing to `urls` in turn; CPU of `pids` over the window. */
async function measure(urls: string[], groups: number, pids: Pids): Promise<Omit<Row, "side" | "groups" | "fillS">> {
  const load = (seconds: number) => timedLoad(CLIENTS, seconds, (k) => push(urls[k % urls.length]!, (k * 104729) % groups, k + 1));
  await load(WARM_UP_S);
  const agents = [...pids.pushed, ...(pids.replica === undefined ? [] : [pids.replica])];
  const all = [...agents, ...(pids.etcd ?? [])];
  // Settling waits on the agents alone: etcd's members tick on their heartbeats and never fall quiet.
  await untilCpuQuiet(agents);
  const before = new Map(all.map((p) => [p, cpuSeconds(p)]));
  const result = await load(SECONDS);
  await untilCpuQuiet(agents);
  const msPer1000 = (ps: number[]) => (ps.reduce((s, p) => s + cpuSeconds(p) - before.get(p)!, 0) * 1e6) / result.pushes;
  return {
    ...result,
    cpuMs: msPer1000(pids.pushed),
    replicaCpuMs: pids.replica === undefined ? undefined : msPer1000([pids.replica]),
    etcdCpuMs: pids.etcd && msPer1000(pids.etcd),
  };
}

const bin = process.env.AGENT_BIN ?? "dist/agent";
const work = mkdtempSync(join(tmpdir(), "bench-push-etcd-"));
console.log(`agent binary: ${bin}; ${SIZES.join(" and ")} groups of 10 series; ${CLIENTS} clients, ${SECONDS} s timed per side`);
const rows: Row[] = [];
try {
  for (const groups of SIZES) {
    const lmdb = await startAgent({ roles: ["push"], bin });
    try {
      const fillS = await fill([lmdb.urls.push!], groups);
      rows.push({ side: "lmdb", groups, fillS, ...(await measure([lmdb.urls.push!], groups, { pushed: [lmdb.proc.pid] })) });
    } finally {
      await lmdb.stop();
    }

    const persistence = join(work, `pushgateway-${groups}.db`);
    const filling = await startPushgateway({ args: ["--push.disable-consistency-check", `--persistence.file=${persistence}`] });
    let fillS: number;
    try {
      fillS = await fill([filling.url], groups);
    } finally {
      await filling.stop(); // writes the persistence file
    }
    const pg = await startPushgateway({ args: [`--persistence.file=${persistence}`] });
    try {
      rows.push({ side: "pushgateway", groups, fillS, ...(await measure([pg.url], groups, { pushed: [pg.pid] })) });
    } finally {
      await pg.stop();
    }

    const etcd = await startEtcd(3);
    const agents: RunningAgent[] = [];
    try {
      const args = ["--push.store=etcd", `--push.etcd.endpoints=${etcd.endpoints}`, "--push.etcd.prefix=/bench/"];
      agents.push(await startAgent({ roles: ["push"], bin, args }));
      const fillS = await fill([agents[0]!.urls.push!], groups);
      // The replica starts over the filled prefix, so its window holds the watch's work alone.
      agents.push(await startAgent({ roles: ["push"], bin, args }));
      const [a, b] = agents.map((x) => x.proc.pid) as [number, number];
      const etcdPids = etcd.members.map((m) => m.proc!.pid);
      const urls = agents.map((x) => x.urls.push!);
      rows.push({ side: "etcd x1", groups, fillS, ...(await measure(urls.slice(0, 1), groups, { pushed: [a], replica: b, etcd: etcdPids })) });
      rows.push({ side: "etcd x2", groups, fillS, ...(await measure(urls, groups, { pushed: [a, b], etcd: etcdPids })) });
    } finally {
      for (const x of agents) await x.stop();
      await etcd.stop();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const f = (n: number | undefined, d = 1) => (n === undefined ? "" : n.toFixed(d));
/** Two decimals, or two significant digits below 0.1 (Pushgateway at 20,000 groups is that far off). */
const x = (n: number) => (n >= 0.1 ? n.toFixed(2) : n.toPrecision(2));
console.log("\nCPU ms per 1,000 pushes: of the process(es) pushed to; of the replica taking none (its watch); of etcd's 3 members");
console.log("groups  store        fill s  pushes/s   p50 ms   p99 ms     (n)   CPU ms/1k  replica ms/1k  etcd ms/1k");
for (const r of rows) {
  console.log(
    `${String(r.groups).padEnd(8)}${r.side.padEnd(12)}${f(r.fillS).padStart(7)}${f(r.pushesPerSec, r.pushesPerSec < 10 ? 2 : 0).padStart(10)}${f(r.p50Ms, 2).padStart(9)}${f(r.p99Ms, 2).padStart(9)}${`(${r.pushes})`.padStart(8)}${f(r.cpuMs, 0).padStart(12)}${f(r.replicaCpuMs, 0).padStart(15)}${f(r.etcdCpuMs, 0).padStart(12)}`,
  );
}
console.log("\nratios (throughput above 1 and latency below 1 are better than the store compared with):");
for (const groups of SIZES) {
  for (const against of ["lmdb", "pushgateway"] as const) {
    const base = rows.find((r) => r.groups === groups && r.side === against)!;
    for (const r of rows.filter((x) => x.groups === groups && x.side !== against)) {
      console.log(
        `  ${groups} groups, ${r.side} / ${against}: throughput ${x(r.pushesPerSec / base.pushesPerSec)}x, p50 ${x(r.p50Ms / base.p50Ms)}x, p99 ${x(r.p99Ms / base.p99Ms)}x`,
      );
    }
  }
}
const out = join(REPO_ROOT, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `push-etcd-${Date.now()}.json`), JSON.stringify(rows, null, 2));
