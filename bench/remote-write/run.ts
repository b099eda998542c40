// Remote write at fleet-gateway size: the push role holding 20,000 groups (200,000 series with their
// push_time_seconds and push_failure_time_seconds) sends them every interval. Side by side:
// - the agent's CPU per collection with remote write, less the same agent's without it,
//   against the floor: encoding the same samples as WriteRequests and snappy-compressing them, in-process;
// - bytes sent per collection against the floor's compressed bytes;
// - with the receiver unreachable, memory (RSS) and disk per pending sample as the queue grows.
// `bun bench/run.ts remote-write` or `bun bench/remote-write/run.ts [groups]`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { seriesFromText } from "../../packages/remote-write/src/series.ts";
import { encodeBody } from "../../packages/remote-write/src/wire.ts";
import { startAgent, type RunningAgent } from "../../test/harness/index.ts";
import { cpuSeconds, rssKiB } from "../proc.ts";

const GROUPS = Number(process.argv[2] ?? 20000);
const METRICS_PER_GROUP = 8;
/** Collections are timed at this interval; the cost of one does not depend on it (15 s in production). */
const INTERVAL_S = 5;
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

async function metric(agent: RunningAgent, name: string): Promise<number> {
  const text = await (await fetch(`${agent.urls.push}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
  return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(" ") + 1));
}

function config(url: string | undefined): string {
  const file = join(work, `agent-${Math.random().toString(36).slice(2)}.yml`);
  const rw = url ? { remote_write: [{ url, name: "bench", queue_config: { max_samples_per_send: MAX_SAMPLES_PER_SEND } }] } : {};
  writeFileSync(file, JSON.stringify({ ...rw, remote_write_interval: `${INTERVAL_S}s` }));
  return file;
}

const storage = join(work, "agent");
mkdirSync(storage);
const start = (url: string | undefined) => startAgent({ roles: ["push"], storagePath: storage, bin, args: [`--config.file=${config(url)}`] });

/** CPU seconds the agent spends over `COLLECTIONS` intervals, from a start aligned after its first collection. */
async function cpuOverIntervals(agent: RunningAgent): Promise<number> {
  const c0 = cpuSeconds(agent.proc.pid);
  await Bun.sleep(COLLECTIONS * INTERVAL_S * 1000);
  return cpuSeconds(agent.proc.pid) - c0;
}

let sinkBytes = 0;
let sinkRequests = 0;
const sink = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(req) {
    sinkBytes += (await req.arrayBuffer()).byteLength;
    sinkRequests++;
    return new Response(null, { status: 204 });
  },
});

try {
  console.log(`agent binary: ${bin}; ${GROUPS} groups x ${METRICS_PER_GROUP} metrics, collection every ${INTERVAL_S} s, ${COLLECTIONS} timed`);
  const filling = await start(undefined);
  await fill(filling.urls.push!);
  await filling.stop();

  // Baseline: the same agent and store, no remote write.
  const base = await start(undefined);
  await Bun.sleep(3000);
  const baseCpu = await cpuOverIntervals(base);
  const text = await (await fetch(`${base.urls.push}/metrics`)).text();
  await base.stop();

  // Remote write to a receiver that accepts everything.
  const sending = await start(`http://127.0.0.1:${sink.port}/api/v1/write`);
  while (sinkRequests === 0) await Bun.sleep(100);
  await Bun.sleep(INTERVAL_S * 1000);
  const bytes0 = sinkBytes;
  const samples0 = await metric(sending, "prometheus_remote_storage_samples_total");
  const sendRss0 = rssKiB(sending.proc.pid) * 1024;
  const sendCpu = await cpuOverIntervals(sending);
  const sendRssGrowth = rssKiB(sending.proc.pid) * 1024 - sendRss0;
  const samplesSent = (await metric(sending, "prometheus_remote_storage_samples_total")) - samples0;
  const bytesSent = sinkBytes - bytes0;
  await sending.stop();

  // The floor: encoding and compressing the same samples, nothing else.
  const series = seriesFromText(text, Date.now(), { target: { job: "push", instance: "bench:9091" }, honorLabels: true, externalLabels: {} });
  const floorTimes: number[] = [];
  let floorBytes = 0;
  for (let round = 0; round < 5; round++) {
    const t = performance.now();
    floorBytes = 0;
    for (let i = 0; i < series.length; i += MAX_SAMPLES_PER_SEND) floorBytes += encodeBody(series.slice(i, i + MAX_SAMPLES_PER_SEND)).length;
    floorTimes.push(performance.now() - t);
  }
  const floorMs = floorTimes.sort((a, b) => a - b)[2]!;
  // The timed window does not start at a collection, so count the collections it held by what was sent.
  const collections = samplesSent / series.length;
  const bytesPerCollection = bytesSent / collections;

  // The queue growing while the receiver is unreachable.
  const queued = await start("http://127.0.0.1:1/api/v1/write");
  while (!((await metric(queued, "prometheus_remote_storage_samples_pending")) > 0)) await Bun.sleep(200);
  await Bun.sleep(2000);
  const rss0 = rssKiB(queued.proc.pid) * 1024;
  const pending0 = await metric(queued, "prometheus_remote_storage_samples_pending");
  await Bun.sleep(COLLECTIONS * INTERVAL_S * 1000);
  const rss1 = rssKiB(queued.proc.pid) * 1024;
  const pending1 = await metric(queued, "prometheus_remote_storage_samples_pending");
  const diskBytes = await metric(queued, "agent_remote_write_queue_bytes");
  await queued.stop();

  const cpuPerCollectionMs = ((sendCpu - baseCpu) * 1000) / collections;
  console.log(`samples per collection: ${series.length}; ${collections.toFixed(2)} collections sent in the ${COLLECTIONS * INTERVAL_S} s window`);
  console.log(`CPU per collection: agent remote write ${cpuPerCollectionMs.toFixed(0)} ms (${(sendCpu * 1000).toFixed(0)} ms sending - ${(baseCpu * 1000).toFixed(0)} ms baseline, per window)`);
  console.log(`  floor (encode + snappy, in-process): ${floorMs.toFixed(0)} ms; ratio agent/floor ${(cpuPerCollectionMs / floorMs).toFixed(2)}`);
  console.log(`bytes per collection: sent ${(bytesPerCollection / 1048576).toFixed(2)} MiB, floor ${(floorBytes / 1048576).toFixed(2)} MiB; ratio ${(bytesPerCollection / floorBytes).toFixed(3)}`);
  console.log(`  = ${(bytesSent / samplesSent).toFixed(2)} bytes per sample on the wire`);
  console.log(
    `queue while the receiver is down: ${pending1} samples pending, ${(diskBytes / 1048576).toFixed(1)} MiB on disk = ${(diskBytes / pending1).toFixed(2)} bytes per pending sample; ` +
      `RSS ${((rss1 - rss0) / 1048576).toFixed(1)} MiB more for ${pending1 - pending0} more pending = ${((rss1 - rss0) / (pending1 - pending0)).toFixed(2)} bytes per pending sample ` +
      `(for scale: while sending, RSS changed ${(sendRssGrowth / 1048576).toFixed(1)} MiB over as many collections)`,
  );
} finally {
  sink.stop(true);
  rmSync(work, { recursive: true, force: true });
}
