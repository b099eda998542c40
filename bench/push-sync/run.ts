// What acknowledging only synced pushes costs: the push role with --push.sync=flush (answer once on disk) and
// --push.sync=commit (answer once the commit reaches the OS), side by side over the same 1,000 groups, with 1,
// 16 and 64 clients pushing at once. Flush pays one fdatasync per commit, and pushes that arrive during a
// sync share the next commit and sync, so the gap should narrow as clients are added.
// `bun bench/run.ts push-sync` or `bun bench/push-sync/run.ts [groups]`. Storage goes under $BENCH_DIR, else
// the temporary directory: point it at the disk to judge (a tmpfs makes every sync free).
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, startAgent } from "../../test/harness/index.ts";
import { fillGroups, pushBenchGroup as push, timedLoad, type LoadResult } from "../push-load.ts";

const GROUPS = Number(process.argv[2] ?? 1000);
const CLIENTS = [1, 16, 64];
const SECONDS = 4;
const MODES = ["flush", "commit"] as const;
type Mode = (typeof MODES)[number];


interface Row extends LoadResult {
  mode: Mode;
  clients: number;
}

/** `clients` loops pushing to random groups for SECONDS; every push timed. */
const load = (url: string, clients: number) => timedLoad(clients, SECONDS, (k) => push(url, (k * 104729) % GROUPS, k + 1));

const work = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), "bench-push-sync-"));
const bin = process.env.AGENT_BIN ?? "dist/agent";
console.log(`agent binary: ${bin}; ${GROUPS} groups of 10 series; storage under ${work}`);
const rows: Row[] = [];
try {
  // One filled store, copied for each mode, so both start from the same file.
  const filled = join(work, "filled");
  mkdirSync(filled);
  const filling = await startAgent({ roles: ["push"], storagePath: filled, bin, args: ["--push.sync=commit"] });
  await fillGroups(GROUPS, 16, (i) => push(filling.urls.push!, i, 0));
  await filling.stop();

  for (const clients of CLIENTS) {
    // Modes alternate within each client count, so drift in the machine's load hits both alike.
    for (const mode of MODES) {
      const storage = join(work, `${mode}-${clients}`);
      cpSync(filled, storage, { recursive: true });
      const agent = await startAgent({ roles: ["push"], storagePath: storage, bin, args: [`--push.sync=${mode}`] });
      try {
        await load(agent.urls.push!, clients); // warm-up, not counted
        rows.push({ mode, clients, ...(await load(agent.urls.push!, clients)) });
      } finally {
        await agent.stop();
        rmSync(storage, { recursive: true, force: true });
      }
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const f = (n: number, d = 1) => n.toFixed(d);
console.log("\nmode    clients  pushes/s   p50 ms   p99 ms");
for (const r of rows) {
  console.log(`${r.mode.padEnd(8)}${String(r.clients).padStart(7)}${f(r.pushesPerSec, 0).padStart(10)}${f(r.p50Ms, 2).padStart(9)}${f(r.p99Ms, 2).padStart(9)}`);
}
console.log("\nratios (flush / commit; throughput below 1 and latency above 1 are what syncing costs):");
for (const clients of CLIENTS) {
  const fl = rows.find((r) => r.mode === "flush" && r.clients === clients)!;
  const co = rows.find((r) => r.mode === "commit" && r.clients === clients)!;
  console.log(
    `  ${clients} client(s): throughput ${f(fl.pushesPerSec / co.pushesPerSec, 2)}x, p50 ${f(fl.p50Ms / co.p50Ms, 2)}x, p99 ${f(fl.p99Ms / co.p99Ms, 2)}x`,
  );
}
const out = join(REPO_ROOT, "bench/results");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, `push-sync-${Date.now()}.json`), JSON.stringify(rows, null, 2));
