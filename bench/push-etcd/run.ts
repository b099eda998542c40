// What shared storage costs: the push role on LMDB (--push.sync=flush, one agent) against --push.store=etcd on
// a local 3-member etcd cluster (Debian's etcd-server) with one agent, and with two agents taking turns (as
// behind one Service), with 1 and 16 clients pushing at once to 200 groups. Every side acknowledges a push only
// once it is on disk (etcd: on a quorum's disks). `bun bench/run.ts push-etcd`. Runs one side at a time.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT, startAgent, startEtcd, type RunningAgent } from "../../test/harness/index.ts";
import { timedLoad, type LoadResult } from "../push-load.ts";

const GROUPS = 200;
const CLIENTS = [1, 16];
const SECONDS = 3;
const SIDES = ["lmdb", "etcd x1", "etcd x2"] as const;
type Side = (typeof SIDES)[number];

function body(seq: number): string {
  let s = "# TYPE bench_requests_total counter\n";
  for (let i = 0; i < 10; i++) s += `bench_requests_total{code="${200 + i}"} ${seq + i}\n`;
  return s;
}

/** `clients` loops pushing for SECONDS, each push to the next agent in turn. */
function load(urls: string[], clients: number): Promise<LoadResult> {
  return timedLoad(clients, SECONDS, async (k) => {
    const r = await fetch(`${urls[k % urls.length]}/metrics/job/bench/instance/i${(k * 104729) % GROUPS}`, { method: "PUT", body: body(k) });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`push answered ${r.status}`);
  });
}

const etcd = await startEtcd(3);
const rows: Array<LoadResult & { side: Side; clients: number }> = [];
try {
  for (const clients of CLIENTS) {
    for (const side of SIDES) {
      const agents: RunningAgent[] = [];
      const args = side === "lmdb" ? [] : ["--push.store=etcd", `--push.etcd.endpoints=${etcd.endpoints}`, `--push.etcd.prefix=/bench-${clients}-${side.at(-1)}/`];
      for (let i = 0; i < (side === "etcd x2" ? 2 : 1); i++) agents.push(await startAgent({ roles: ["push"], args }));
      try {
        const urls = agents.map((a) => a.urls.push!);
        await load(urls, clients); // warm-up, not counted
        rows.push({ side, clients, ...(await load(urls, clients)) });
      } finally {
        for (const a of agents) await a.stop();
      }
    }
  }
} finally {
  await etcd.stop();
}

const f = (n: number, d = 1) => n.toFixed(d);
console.log("\nstore     clients  pushes/s   p50 ms   p99 ms");
for (const r of rows) console.log(`${r.side.padEnd(10)}${String(r.clients).padStart(7)}${f(r.pushesPerSec, 0).padStart(10)}${f(r.p50Ms, 2).padStart(9)}${f(r.p99Ms, 2).padStart(9)}`);
console.log("\nratios against lmdb (throughput below 1 and latency above 1 are what sharing costs):");
for (const clients of CLIENTS) {
  const base = rows.find((r) => r.side === "lmdb" && r.clients === clients)!;
  for (const side of SIDES.slice(1)) {
    const r = rows.find((x) => x.side === side && x.clients === clients)!;
    console.log(`  ${side}, ${clients} client(s): throughput ${f(r.pushesPerSec / base.pushesPerSec, 2)}x, p50 ${f(r.p50Ms / base.p50Ms, 2)}x, p99 ${f(r.p99Ms / base.p99Ms, 2)}x`);
  }
}
const out = join(REPO_ROOT, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `push-etcd-${Date.now()}.json`), JSON.stringify(rows, null, 2));
