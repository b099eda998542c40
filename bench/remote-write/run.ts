// Remote write at fleet-gateway size: the push role holding 20,000 groups (200,000 series with their
// push_time_seconds and push_failure_time_seconds) sends them every 15 s, as in production. Side by side in one run,
// over the same stored groups (the store is copied, so each program has its own):
// - the agent sending them itself, against Prometheus in agent mode (Debian's `prometheus`,
//   `--enable-feature=agent`) scraping a second agent's push role with honor_labels at the same interval and
//   remote-writing to the same kind of sink; both with max_samples_per_send 2000. CPU is utime + stime from
//   /proc/<pid>/stat summed over the timed window of whole intervals (and, for scale, over each process's
//   whole life, start-up included); the scraped agent's CPU above the idle baseline is the cost of being scraped,
//   which the Prometheus way adds. Bytes are what each sink received (Prometheus also sends metadata every minute);
// - the agent's CPU and bytes per collection against the floor: encoding the same samples as WriteRequests and
//   snappy-compressing them, in-process;
// - with the receiver unreachable, memory (RSS) and disk per pending sample as the queue grows.
// `bun bench/run.ts remote-write` or `bun bench/remote-write/run.ts [groups] [interval seconds]`.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText, type Collection } from "../../packages/core/src/index.ts";
import { seriesFromCollection } from "../../packages/remote-write/src/series.ts";
import { encodeBody } from "../../packages/remote-write/src/wire.ts";
import { freePort, startAgent, waitForHttp, type RunningAgent } from "../../test/harness/index.ts";
import { cpuSeconds, rssKiB } from "../proc.ts";

const GROUPS = Number(process.argv[2] ?? 20000);
const METRICS_PER_GROUP = 8;
/** Production's cadence; a shorter one makes the run quicker and is said in the first line printed. */
const INTERVAL_S = Number(process.argv[3] ?? 15);
const COLLECTIONS = 4;
const MAX_SAMPLES_PER_SEND = 2000;

const bin = process.env.AGENT_BIN ?? "dist/agent";
const work = mkdtempSync(join(tmpdir(), "bench-remote-write-"));

function body(i: number): string {
  let s = "# TYPE bench_jobs_total counter\n";
  for (let k = 0; k < METRICS_PER_GROUP; k++) s += `bench_jobs_total{queue="q${k}"} ${i * 10 + k}\n`;
  return s;
}

async function fill(url: string): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < GROUPS) {
        const i = next++;
        const r = await fetch(`${url}/metrics/job/bench/instance/i${i}`, { method: "PUT", body: body(i) });
        if (r.status !== 200) throw new Error(`push answered ${r.status}`);
      }
    }),
  );
}

/** The value of `name` in the exposition at `url`, summed over its series; NaN when absent. */
async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const lines = text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return lines.length === 0 ? NaN : lines.reduce((a, l) => a + Number(l.slice(l.lastIndexOf(" ") + 1)), 0);
}

function config(url: string | undefined): string {
  const file = join(work, `agent-${Math.random().toString(36).slice(2)}.yml`);
  const rw = url ? { remote_write: [{ url, name: "bench", queue_config: { max_samples_per_send: MAX_SAMPLES_PER_SEND } }] } : {};
  writeFileSync(file, JSON.stringify({ ...rw, remote_write_interval: `${INTERVAL_S}s` }));
  return file;
}

const storage = join(work, "agent");
const scrapedStorage = join(work, "agent-scraped");
mkdirSync(storage);
const start = (url: string | undefined, storagePath = storage) =>
  startAgent({ roles: ["push"], storagePath, bin, args: [`--config.file=${config(url)}`] });

/** Prometheus in agent mode: scrapes the push role as Pushgateway is scraped, remote-writes to `url`. */
async function startPrometheusAgent(target: string, url: string): Promise<{ proc: Bun.Subprocess; url: string; stop(): Promise<void> }> {
  const dir = join(work, "prometheus");
  mkdirSync(dir);
  const config = {
    global: { scrape_interval: `${INTERVAL_S}s`, scrape_timeout: `${INTERVAL_S - 1}s` },
    scrape_configs: [{ job_name: "push", honor_labels: true, static_configs: [{ targets: [target] }] }],
    remote_write: [{ url, name: "bench", queue_config: { max_samples_per_send: MAX_SAMPLES_PER_SEND } }],
  };
  writeFileSync(join(dir, "prometheus.yml"), JSON.stringify(config));
  const port = await freePort();
  const proc = Bun.spawn(
    [
      "prometheus",
      "--enable-feature=agent",
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.agent.path=${join(dir, "wal")}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdout: "ignore", stderr: Bun.file(join(dir, "log")) },
  );
  const self = `http://127.0.0.1:${port}`;
  await waitForHttp(`${self}/-/ready`, 30000).catch(async (e: Error) => {
    proc.kill();
    throw new Error(`${e.message}\n${await Bun.file(join(dir, "log")).text()}`);
  });
  return {
    proc,
    url: self,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}

/** A receiver that accepts everything on every path and counts the bytes and requests to each. */
const received = new Map<string, { bytes: number; requests: number }>();
const sink = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    const path = new URL(req.url).pathname;
    const r = received.get(path) ?? { bytes: 0, requests: 0 };
    r.bytes += (await req.arrayBuffer()).byteLength;
    r.requests++;
    received.set(path, r);
    return new Response(null, { status: 204 });
  },
});
const sinkUrl = (path: string) => `http://127.0.0.1:${sink.port}${path}`;
const bytesAt = (path: string) => received.get(path)?.bytes ?? 0;

/** A scrape's text as a collection: the bench has the agent's samples only as it serves them, over HTTP. */
function scrapedCollection(text: string): Collection {
  return {
    render: () => text,
    forEachSample: (visit) => {
      for (const f of parseText(text)) for (const s of f.samples) visit(s.name, Object.entries(s.labels).flat(), s.value);
    },
  };
}

const ms = (s: number) => `${(s * 1000).toFixed(0)} ms`;
const mib = (b: number) => `${(b / 1048576).toFixed(2)} MiB`;

try {
  console.log(
    `agent binary: ${bin}; ${GROUPS} groups x ${METRICS_PER_GROUP} metrics, collection every ${INTERVAL_S} s` +
      `${INTERVAL_S === 15 ? " (production's cadence)" : " (shorter than production's 15 s)"}, ${COLLECTIONS} intervals timed`,
  );
  const filling = await start(undefined);
  await fill(filling.urls.push!);
  await filling.stop();
  cpSync(storage, scrapedStorage, { recursive: true });

  // Baseline: the same agent and store, neither sending nor scraped.
  const base = await start(undefined);
  await Bun.sleep(3000);
  const b0 = cpuSeconds(base.proc.pid);
  await Bun.sleep(COLLECTIONS * INTERVAL_S * 1000);
  const baseCpu = cpuSeconds(base.proc.pid) - b0;
  const text = await (await fetch(`${base.urls.push}/metrics`)).text();
  await base.stop();
  const series = seriesFromCollection(scrapedCollection(text), Date.now(), { target: { job: "push", instance: "bench:9091" }, honorLabels: true, externalLabels: {} });

  // Side by side: the agent sending, and Prometheus agent scraping a second agent and sending.
  const sending = await start(sinkUrl("/agent"));
  const scraped = await start(undefined, scrapedStorage);
  const prom = await startPrometheusAgent(`127.0.0.1:${scraped.ports.push}`, sinkUrl("/prometheus"));
  const promSamples = () => metric(prom.url, "prometheus_remote_storage_samples_total");
  const agentSamples = () => metric(sending.urls.push!, "prometheus_remote_storage_samples_total");
  // Both have sent a whole collection, then one more interval passes before the window.
  const until = Date.now() + 10 * INTERVAL_S * 1000;
  while (!((await promSamples()) >= series.length && (await agentSamples()) >= series.length)) {
    if (Date.now() > until) {
      const targets = await (await fetch(`${prom.url}/api/v1/targets`)).text();
      await Promise.all([prom.stop(), sending.stop(), scraped.stop()]);
      throw new Error(`no whole collection sent by both after ${10 * INTERVAL_S} s; Prometheus targets: ${targets}`);
    }
    await Bun.sleep(500);
  }
  await Bun.sleep(INTERVAL_S * 1000);
  const pids = { agent: sending.proc.pid, scraped: scraped.proc.pid, prometheus: prom.proc.pid };
  const cpu0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const [agentBytes0, promBytes0, agentSamples0, promSamples0] = [bytesAt("/agent"), bytesAt("/prometheus"), await agentSamples(), await promSamples()];
  const promMeta0 = await metric(prom.url, "prometheus_remote_storage_metadata_bytes_total");
  const sendRss0 = rssKiB(sending.proc.pid) * 1024;
  await Bun.sleep(COLLECTIONS * INTERVAL_S * 1000);
  const cpu = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) - cpu0[k]!]));
  const lifetime = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const rss = { agent: rssKiB(sending.proc.pid) * 1024, prometheus: rssKiB(prom.proc.pid) * 1024 };
  const agentBytes = bytesAt("/agent") - agentBytes0;
  const promBytes = bytesAt("/prometheus") - promBytes0;
  const agentSent = (await agentSamples()) - agentSamples0;
  const promSent = (await promSamples()) - promSamples0;
  const promMeta = (await metric(prom.url, "prometheus_remote_storage_metadata_bytes_total")) - promMeta0;
  await Promise.all([prom.stop(), sending.stop(), scraped.stop()]);

  // The floor: encoding and compressing the same samples, nothing else.
  const floorTimes: number[] = [];
  let floorBytes = 0;
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    floorBytes = 0;
    for (let i = 0; i < series.length; i += MAX_SAMPLES_PER_SEND) floorBytes += encodeBody(series.slice(i, i + MAX_SAMPLES_PER_SEND)).length;
    floorTimes.push(performance.now() - t);
  }
  const floorS = floorTimes.sort((a, b) => a - b)[2]! / 1000;

  // The window does not start at a collection, so each side's collections are counted by the samples it sent
  // (Prometheus adds its 5 scrape series to each).
  const agentCollections = agentSent / series.length;
  const promCollections = promSent / (series.length + 5);
  const agentCpu = (cpu.agent! - baseCpu) / agentCollections;
  const servedCpu = (cpu.scraped! - baseCpu) / promCollections;
  const promCpu = cpu.prometheus! / promCollections;
  const agentPerInterval = agentBytes / agentCollections;
  const promPerInterval = promBytes / promCollections;

  console.log(`samples per collection: ${series.length}; in the ${COLLECTIONS * INTERVAL_S} s window the agent sent ${agentCollections.toFixed(2)} collections, Prometheus agent ${promCollections.toFixed(2)}`);
  console.log(`CPU per interval (utime+stime over the window, less the idle agent's ${ms(baseCpu / COLLECTIONS)} per interval):`);
  console.log(`  agent sending itself ${ms(agentCpu)}`);
  console.log(`  Prometheus agent ${ms(promCpu)}, plus ${ms(servedCpu)} for the agent to serve its scrape = ${ms(promCpu + servedCpu)}`);
  console.log(`  ratio agent/Prometheus agent ${(agentCpu / promCpu).toFixed(2)}; agent/(Prometheus agent + scrape) ${(agentCpu / (promCpu + servedCpu)).toFixed(2)}`);
  console.log(`  floor (encode + snappy, in-process): ${ms(floorS)}; ratio agent/floor ${(agentCpu / floorS).toFixed(2)}`);
  console.log(
    `  whole life, start-up included: agent ${lifetime.agent!.toFixed(1)} s, Prometheus agent ${lifetime.prometheus!.toFixed(1)} s + scraped agent ${lifetime.scraped!.toFixed(1)} s`,
  );
  console.log(`bytes on the wire per interval: agent ${mib(agentPerInterval)}, Prometheus agent ${mib(promPerInterval)} (${mib(promMeta / promCollections)} of it metadata); ratio ${(agentPerInterval / promPerInterval).toFixed(3)}`);
  console.log(`  floor ${mib(floorBytes)}; ratio agent/floor ${(agentPerInterval / floorBytes).toFixed(3)}; ${(agentBytes / agentSent).toFixed(2)} bytes per sample (Prometheus agent ${(promBytes / promSent).toFixed(2)})`);
  console.log(`RSS at the end: agent ${mib(rss.agent)} (${((rss.agent - sendRss0) / 1048576).toFixed(1)} MiB over the window), Prometheus agent ${mib(rss.prometheus)}`);

  // The queue growing while the receiver is unreachable.
  const queued = await start("http://127.0.0.1:1/api/v1/write");
  const pending = () => metric(queued.urls.push!, "prometheus_remote_storage_samples_pending");
  while (!((await pending()) > 0)) await Bun.sleep(200);
  await Bun.sleep(2000);
  const rss0 = rssKiB(queued.proc.pid) * 1024;
  const pending0 = await pending();
  await Bun.sleep(COLLECTIONS * INTERVAL_S * 1000);
  const rss1 = rssKiB(queued.proc.pid) * 1024;
  const pending1 = await pending();
  const diskBytes = await metric(queued.urls.push!, "agent_remote_write_queue_bytes");
  await queued.stop();
  console.log(
    `queue while the receiver is down: ${pending1} samples pending, ${mib(diskBytes)} on disk = ${(diskBytes / pending1).toFixed(2)} bytes per pending sample; ` +
      `RSS ${((rss1 - rss0) / 1048576).toFixed(1)} MiB more for ${pending1 - pending0} more pending = ${((rss1 - rss0) / (pending1 - pending0)).toFixed(2)} bytes per pending sample`,
  );
} finally {
  sink.stop(true);
  rmSync(work, { recursive: true, force: true });
}
