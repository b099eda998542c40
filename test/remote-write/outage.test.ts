/**
 * The fault test (issue 18): the receiver (a real Prometheus) is stopped for 2 minutes while pushes keep
 * arriving, and the agent is killed with SIGKILL and restarted inside that window. When the receiver is back,
 * every collection the agent made is there, once and in order: what Prometheus stored is compared with the
 * agent's own count of collections, and every gap between samples must be an interval the agent reports it
 * could not collect in (a host stall, made here with SIGSTOP), or the restart. A group deleted during the
 * outage is marked stale.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";

setDefaultTimeout(240_000);

const OUTAGE_MS = 120_000;
const STALL_MS = 3700;
const dir = mkdtempSync(join(tmpdir(), "rw-outage-"));
let agent: RunningAgent | undefined;
let prom: RunningPrometheus | undefined;

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await prom?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw samples of one series within the last `range`, oldest first: [seconds, value]. */
async function raw(url: string, selector: string, range = "10m"): Promise<Array<[number, string]>> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(`${selector}[${range}]`)}`);
  const body = (await r.json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
  expect(body.data.result.length).toBeLessThanOrEqual(1);
  return body.data.result[0]?.values ?? [];
}

/** The agent's own metrics, read from one scrape, so that they are taken at the same moment. */
async function agentMetrics(): Promise<(name: string) => number> {
  const lines = (await (await fetch(`${agent!.urls.push}/metrics`)).text()).split("\n");
  return (name) => {
    const line = lines.find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `));
    return line === undefined ? NaN : Number(line.slice(line.lastIndexOf(" ") + 1));
  };
}

async function agentMetric(name: string): Promise<number> {
  return (await agentMetrics())(name);
}

/** Intervals (of 1 s) with no sample between consecutive samples: 0 when they are a second apart. */
function intervalsWithout(samples: ReadonlyArray<[number, string]>): number {
  let n = 0;
  for (let i = 1; i < samples.length; i++) n += Math.max(0, Math.round(samples[i]![0] - samples[i - 1]![0]) - 1);
  return n;
}

test("a receiver outage with an agent kill -9 inside it loses no sample and keeps order", async () => {
  const promPort = await freePort();
  const promStart = () =>
    startPrometheus({ scrapeConfigs: [], extraArgs: ["--web.enable-remote-write-receiver"], port: promPort, storagePath: join(dir, "tsdb") });
  prom = await promStart();
  const config = {
    remote_write: [{ url: `${prom.url}/api/v1/write`, name: "central", queue_config: { min_backoff: "100ms", max_backoff: "1s" } }],
    remote_write_interval: "1s",
  };
  writeFileSync(join(dir, "agent.yml"), JSON.stringify(config));
  mkdirSync(join(dir, "agent"));
  const agentOpts = { roles: ["push"], storagePath: join(dir, "agent"), ports: { push: await freePort() }, args: [`--config.file=${join(dir, "agent.yml")}`] };
  agent = await startAgent(agentOpts);
  const pushUrl = agent.urls.push!;

  // The pusher: a counter that goes up with every push, every 200 ms, whatever the agent's state.
  let ticks = 0;
  let pushing = true;
  const pusher = (async () => {
    while (pushing) {
      ticks++;
      await fetch(`${pushUrl}/metrics/job/ticker`, { method: "PUT", body: `# TYPE ticks_total counter\nticks_total ${ticks}\n` }).catch(() => undefined);
      await Bun.sleep(200);
    }
  })();
  expect((await fetch(`${pushUrl}/metrics/job/gone`, { method: "PUT", body: "gone_metric 1\n" })).status).toBe(200);
  await prom.waitFor("ticks_total", (r) => r.length === 1);
  await prom.waitFor("gone_metric", (r) => r.length === 1);

  const outageStart = Date.now() / 1000;
  await prom.stop();
  prom = undefined;
  await Bun.sleep(OUTAGE_MS / 3);
  // What the first agent counted just before it is killed: collections after this may die with it.
  const before = await agentMetrics();
  await agent.stop("SIGKILL");
  const killedAt = Date.now() / 1000;
  agent = await startAgent(agentOpts);
  const restartSeconds = Date.now() / 1000 - killedAt;
  expect((await fetch(`${pushUrl}/metrics/job/gone`, { method: "DELETE" })).status).toBe(202);
  // A host stall no program could collect through: the agent is not run for 3.7 s. It must say so, not lose.
  process.kill(agent.proc.pid, "SIGSTOP");
  await Bun.sleep(STALL_MS);
  process.kill(agent.proc.pid, "SIGCONT");
  await Bun.sleep(Math.max(0, outageStart * 1000 + OUTAGE_MS - Date.now()));
  expect(await agentMetric("prometheus_remote_storage_samples_pending")).toBeGreaterThan(5);
  prom = await promStart();
  const outageEnd = Date.now() / 1000;

  // Drained: everything collected before the receiver came back has been sent. (Not "nothing pending": on a
  // disk whose sync takes over an interval, a collection is always waiting for its write.)
  let sentUpTo = 0;
  for (let i = 0; i < 200 && (sentUpTo = await agentMetric("prometheus_remote_storage_queue_highest_sent_timestamp_seconds")) < outageEnd; i++) await Bun.sleep(100);
  expect(sentUpTo).toBeGreaterThanOrEqual(outageEnd);
  const drainSeconds = Date.now() / 1000 - outageEnd;
  pushing = false;
  await pusher;
  await Bun.sleep(1500);
  // One snapshot of the second agent's counts; then everything it had collected by then must arrive.
  const after = await agentMetrics();
  const newest = after("prometheus_remote_storage_highest_timestamp_in_seconds");
  // Every collection carries the agent's own process_start_time_seconds, whose value tells the two agents apart.
  const own = 'process_start_time_seconds{job="push"}';
  for (let i = 0; i < 100 && !((await raw(prom.url, own)).at(-1)![0] >= newest - 0.0005); i++) await Bun.sleep(100);
  expect(after("prometheus_remote_storage_samples_failed_total")).toBe(0);
  expect(after("prometheus_remote_storage_samples_dropped_total")).toBe(0);

  const samples = await raw(prom.url, 'ticks_total{job="ticker"}');
  // In order, no duplicates: timestamps strictly rise, and the counter never goes back.
  for (let i = 1; i < samples.length; i++) {
    expect(samples[i]![0]).toBeGreaterThan(samples[i - 1]![0]);
    expect(Number(samples[i]![1])).toBeGreaterThanOrEqual(Number(samples[i - 1]![1]));
  }
  const collected = await raw(prom.url, own);
  const first = collected.filter(([, v]) => v === collected[0]![1]);
  const second = collected.filter(([t, v]) => v === collected.at(-1)![1] && t <= newest + 0.0005);
  const gaps = collected.slice(1).map((s, i) => [Math.round(collected[i]![0] - outageStart), Number((s[0] - collected[i]![0]).toFixed(2))]);
  console.log(
    `gaps over 1.5 s (seconds after the outage began, gap): ${JSON.stringify(gaps.filter(([, g]) => g! > 1.5))}; ` +
      `killed at ${Math.round(killedAt - outageStart)} s, restart took ${restartSeconds.toFixed(1)} s, drained in ${drainSeconds.toFixed(1)} s; ` +
      `first agent: ${first.length} stored, ${before("agent_remote_write_collections_total")} collected before the kill, ${before("agent_remote_write_collections_missed_total")} missed; ` +
      `second agent: ${second.length} stored, ${after("agent_remote_write_collections_total")} collected, ${after("agent_remote_write_collections_missed_total")} missed`,
  );
  // Nothing lost, nothing twice: the second agent's collections are all stored; the first one's too, up to
  // the kill, but for those still waiting for their commit when it came (up to 2 with a sync of 1.5 s).
  expect(second.length).toBe(after("agent_remote_write_collections_total"));
  expect(first.length).toBeGreaterThanOrEqual(before("agent_remote_write_collections_total") - 2);
  // A gap is an interval the agent reports it could not collect in (the host did not run it), never a loss;
  // the stall shows as one.
  expect(after("agent_remote_write_collections_missed_total")).toBeGreaterThanOrEqual(Math.round(STALL_MS / 1000) - 1);
  expect(intervalsWithout(second)).toBeGreaterThanOrEqual(Math.round(STALL_MS / 1000) - 1);
  expect(intervalsWithout(second)).toBeLessThanOrEqual(after("agent_remote_write_collections_missed_total"));
  expect(intervalsWithout(first)).toBeLessThanOrEqual(before("agent_remote_write_collections_missed_total"));
  // Only the restart may leave a longer gap, between the two agents' samples.
  expect(second[0]![0] - first.at(-1)![0]).toBeLessThan(restartSeconds + 2.5);
  expect(Number(samples.at(-1)![1])).toBe(ticks);

  // The group deleted during the outage: its stale marker was queued and delivered with the rest.
  expect(await prom.query("gone_metric")).toEqual([]);
  expect((await raw(prom.url, "gone_metric")).length).toBeGreaterThan(0);
});
