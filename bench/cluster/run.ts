/**
 * Cluster role scrape time against the number of running jobs: a stand-in squeue replays recorded output
 * with N jobs, a stand-in Prometheus replays answers with 2N job ids (N running, N/2 finished, N/2
 * procname.uid of users that exist here), and the compiled agent is scraped over HTTP. squeue runs on every
 * scrape (cache TTL 0), the worst case. Target: under 200 ms at N = 10,000, growing linearly.
 *
 * Side by side: with CLUSTER_EXPORTER_BIN pointing at a build of the original Prometheus Cluster Exporter
 * (GSI-HPC/prometheus-cluster-exporter 1.1.8, Go; not packaged, so not built here: with Debian's golang-go and
 * golang-github-{buger-jsonparser,prometheus-client-golang,sirupsen-logrus}-dev,
 * `GO111MODULE=off GOPATH=<dir>:/usr/share/gocode go build` in <dir>/src/<checkout>), it is scraped over the
 * same stand-ins and the ratio printed. The original matches every job id against every squeue line, so it is skipped above
 * ORIGINAL_MAX_JOBS (default 20,000), where one scrape takes minutes.
 *
 *   bun bench/cluster/run.ts [N ...]
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort, startAgent, waitForHttp } from "../../test/harness/index.ts";
import { scrape, standinDir } from "../../test/cluster/standins.ts";
import { rssKiB } from "../proc.ts";

const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
const SIZES = sizes.length ? sizes : [1_000, 10_000, 100_000];
const SCRAPES = 5;
const ORIGINAL = process.env.CLUSTER_EXPORTER_BIN;
const ORIGINAL_MAX_JOBS = Number(process.env.ORIGINAL_MAX_JOBS ?? 20_000);

/** uids that getent knows here: the original fails a whole stage on any unknown uid, so use only these. */
const UIDS = Bun.spawnSync(["getent", "passwd"])
  .stdout.toString()
  .split("\n")
  .map((l) => Number(l.split(":")[2]))
  .filter((u) => Number.isInteger(u))
  .slice(0, 100);

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
  for (let i = 0; i < n / 2; i++) rows.push(`{"metric":{"jobid":"proc${i % 300}.${UIDS[i % UIDS.length]}"},"value":[${t},"512.25"]}`);
  const meta: string[] = [];
  for (let i = 0; i < n; i++) meta.push(`{"metric":{"jobid":"${40_000_000 + i}","target":"fs-MDT000${i % 4}"},"value":[${t},"${i % 40}"]}`);
  const body = answer(rows);
  return { read: body, write: body, metadata: answer(meta) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const rssMiB = (pid: number) => rssKiB(pid) / 1024;

interface Measured {
  ms: number;
  min: number;
  max: number;
  rss: number;
  stages: Record<string, number>;
}

async function measure(url: string, pid: number): Promise<Measured> {
  const first = await scrape(url);
  if (first.value("cluster_exporter_scrape_ok") !== 1) throw new Error(`scrape of ${url} not ok:\n${first.text.slice(0, 3000)}`);
  const times: number[] = [];
  let last = first;
  for (let i = 0; i < SCRAPES; i++) {
    last = await scrape(url);
    times.push(last.ms);
  }
  const stages: Record<string, number> = {};
  for (const s of last.samples("cluster_exporter_stage_execution_seconds")) stages[s.labels.name!] = s.value * 1000;
  return { ms: median(times), min: Math.min(...times), max: Math.max(...times), rss: rssMiB(pid), stages };
}

const show = (m: Measured) =>
  `median ${m.ms.toFixed(1)} ms (min ${m.min.toFixed(1)}, max ${m.max.toFixed(1)}), RSS ${m.rss.toFixed(0)} MiB`;

const bin = standinDir("cluster-bench-");
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
writeFileSync(squeueFile, recordedSqueue(1));
const promUrl = `http://127.0.0.1:${prom.port}`;
const agent = await startAgent({
  roles: ["cluster"],
  args: [`--cluster.prometheus-url=${promUrl}`, "--cluster.cache-ttl=0s", "--log.level=error"],
  env: { PATH: bin.path() },
});
let original: { proc: Subprocess; url: string } | undefined;
if (ORIGINAL) {
  const port = await freePort();
  const proc = Bun.spawn([ORIGINAL, `-promserver=${promUrl}`, `-port=${port}`, "-log=ERROR"], {
    env: { ...process.env, PATH: bin.path() },
    stdout: "ignore",
    stderr: "inherit",
  });
  original = { proc, url: `http://127.0.0.1:${port}` };
  await waitForHttp(`${original.url}/`, 10_000);
}

const results: { n: number; agent: Measured; original?: Measured }[] = [];
try {
  for (const n of SIZES) {
    writeFileSync(squeueFile, recordedSqueue(n));
    current = recordedAnswers(n);
    const a = await measure(agent.urls.cluster!, agent.proc.pid);
    console.log(`N=${String(n).padStart(7)} jobs, ${2 * n} job ids`);
    console.log(`   agent:    ${show(a)}`);
    console.log(`             stages (ms): ${Object.entries(a.stages).map(([k, v]) => `${k}=${v.toFixed(1)}`).join(" ")}`);
    let o: Measured | undefined;
    if (original && n <= ORIGINAL_MAX_JOBS) {
      o = await measure(original.url, original.proc.pid);
      console.log(`   original: ${show(o)}`);
      console.log(`   ratio original/agent: time x${(o.ms / a.ms).toFixed(1)}, RSS x${(o.rss / a.rss).toFixed(2)}`);
    } else if (original) console.log(`   original: skipped above ${ORIGINAL_MAX_JOBS} jobs`);
    results.push({ n, agent: a, original: o });
  }
} finally {
  await agent.stop();
  original?.proc.kill();
  await original?.proc.exited;
  prom.stop(true);
  bin.remove();
}

const base = results[0]!;
for (const r of results.slice(1)) {
  const growth = (m?: Measured, b?: Measured) => (m && b ? `x${(m.ms / b.ms).toFixed(1)}` : "-");
  console.log(
    `growth ${base.n} -> ${r.n} jobs (x${r.n / base.n}): agent ${growth(r.agent, base.agent)} (${((r.agent.ms * 1000) / r.n).toFixed(1)} us/job)` +
      (original ? `, original ${growth(r.original, base.original)}` : ""),
  );
}
const at10k = results.find((r) => r.n === 10_000);
if (at10k) console.log(`at 10,000 jobs: ${at10k.agent.ms.toFixed(1)} ms (target < 200 ms): ${at10k.agent.ms < 200 ? "met" : "MISSED"}`);
