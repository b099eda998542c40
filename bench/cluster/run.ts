/**
 * Cluster role scrape time against the number of running jobs: a stand-in squeue replays recorded output
 * with N jobs, a stand-in Prometheus replays answers with 2N job ids (N running, N/2 finished, N/2
 * procname.uid), and the compiled agent is scraped over HTTP. squeue runs on every scrape (cache TTL 0),
 * the worst case. Target: under 200 ms at N = 10,000, growing linearly.
 *
 * The original Prometheus Cluster Exporter (Go) is not packaged for Debian and cannot be fetched here, so
 * there is no side-by-side run; the figures stand alone. `bun bench/cluster/run.ts [N ...]`
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startAgent } from "../../test/harness/index.ts";
import { scrape, standinDir } from "../../test/cluster/standins.ts";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [1_000, 10_000, 100_000];
const SCRAPES = 5;

function recordedSqueue(n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) out += `${40_000_000 + i} acct${i % 50} user${i % 500}\n`;
  return out;
}

function answer(rows: string[]): string {
  return `{"status":"success","data":{"resultType":"vector","result":[${rows.join(",")}]}}`;
}

function recordedAnswers(n: number): { read: string; write: string; metadata: string } {
  const t = 1_721_048_534.873;
  const rows: string[] = [];
  for (let i = 0; i < n; i++) rows.push(`{"metric":{"jobid":"${40_000_000 + i}"},"value":[${t},"${(i % 977) * 1048.5}"]}`);
  for (let i = 0; i < n / 2; i++) rows.push(`{"metric":{"jobid":"${30_000_000 + i}"},"value":[${t},"4096"]}`);
  for (let i = 0; i < n / 2; i++) rows.push(`{"metric":{"jobid":"proc${i % 300}.${i % 100}"},"value":[${t},"512.25"]}`);
  const meta: string[] = [];
  for (let i = 0; i < n; i++) meta.push(`{"metric":{"jobid":"${40_000_000 + i}","target":"fs-MDT000${i % 4}"},"value":[${t},"${i % 40}"]}`);
  const body = answer(rows);
  return { read: body, write: body, metadata: answer(meta) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

const bin = standinDir("cluster-bench-");
const results: { n: number; ms: number; rss: number; stages: Record<string, number> }[] = [];
let current = recordedAnswers(1);
const prom = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(req) {
    const q = new URL(req.url).searchParams.get("query") ?? "";
    const body = q.includes("read_bytes") ? current.read : q.includes("write_bytes") ? current.write : current.metadata;
    return new Response(body, { headers: { "content-type": "application/json" } });
  },
});
const squeueFile = join(bin.dir, "squeue.out");
bin.script("squeue", `cat ${squeueFile}`);
const agent = await startAgent({
  roles: ["cluster"],
  args: [`--cluster.prometheus-url=http://127.0.0.1:${prom.port}`, "--cluster.cache-ttl=0s", "--log.level=error"],
  env: { PATH: bin.path() },
});
try {
  for (const n of SIZES) {
    writeFileSync(squeueFile, recordedSqueue(n));
    current = recordedAnswers(n);
    const first = await scrape(agent.urls.cluster!);
    if (first.value("cluster_exporter_scrape_ok") !== 1) throw new Error(`scrape not ok at N=${n}:\n${first.text.slice(0, 2000)}`);
    const times: number[] = [];
    let last = first;
    for (let i = 0; i < SCRAPES; i++) {
      last = await scrape(agent.urls.cluster!);
      times.push(last.ms);
    }
    const stages: Record<string, number> = {};
    for (const s of last.samples("cluster_exporter_stage_execution_seconds")) stages[s.labels.name!] = s.value * 1000;
    results.push({ n, ms: median(times), rss: rssMiB(agent.proc.pid), stages });
    console.log(
      `N=${String(n).padStart(7)} jobs, ${2 * n} job ids: scrape median ${median(times).toFixed(1)} ms ` +
        `(min ${Math.min(...times).toFixed(1)}, max ${Math.max(...times).toFixed(1)}), agent RSS ${rssMiB(agent.proc.pid).toFixed(0)} MiB, ` +
        `${last.text.length} bytes out`,
    );
    console.log(`   stages (ms): ${Object.entries(stages).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(" ")}`);
  }
} finally {
  await agent.stop();
  prom.stop(true);
  bin.remove();
}

const base = results[0]!;
for (const r of results.slice(1)) {
  console.log(`growth ${base.n} -> ${r.n} jobs (x${r.n / base.n}): scrape time x${(r.ms / base.ms).toFixed(1)}, per job ${((r.ms * 1000) / r.n).toFixed(1)} us`);
}
const at10k = results.find((r) => r.n === 10_000);
if (at10k) console.log(`at 10,000 jobs: ${at10k.ms.toFixed(1)} ms (target < 200 ms): ${at10k.ms < 200 ? "met" : "MISSED"}`);
