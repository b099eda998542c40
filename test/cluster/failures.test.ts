/**
 * The cluster role when its sources misbehave: stand-in squeue and getent on PATH, a stand-in upstream
 * Prometheus. Every scrape must answer within the timeouts, say what failed, and the next scrape must work.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { freePort, startAgent, type RunningAgent } from "../harness/index.ts";
import { scrape, standinDir, standinPrometheus, vectorAnswer, type VectorRow } from "./standins.ts";

const bin = standinDir();
const prom = standinPrometheus();
let agent: RunningAgent;

const GOOD_SQUEUE = 'echo "100 physics alice"; echo "101 chemistry bob"';
/** Command and query timeouts are 1 s; squeue and queries run together, then two getent calls. */
const BOUND_MS = 5000;

function answers(): (promql: string) => Response {
  return (q) => {
    let rows: VectorRow[] = [];
    if (q.includes("lustre_job_read_bytes_total")) rows = [{ metric: { jobid: "100" }, value: 1000 }, { metric: { jobid: "dd.0" }, value: 500 }];
    else if (q.includes("lustre_job_write_bytes_total")) rows = [{ metric: { jobid: "101" }, value: 2000 }];
    else if (q.includes("lustre_job_stats_total")) rows = [{ metric: { jobid: "100", target: "fs-MDT0000" }, value: 3 }];
    return vectorAnswer(rows);
  };
}

beforeAll(async () => {
  bin.script("squeue", GOOD_SQUEUE);
  prom.handle(answers());
  agent = await startAgent({
    roles: ["cluster"],
    args: [
      `--cluster.prometheus-url=${prom.url}`,
      "--cluster.timeout=1s",
      "--cluster.command-timeout=1s",
      "--cluster.cache-ttl=0s",
      "--cluster.identity-cache-ttl=0s",
    ],
    env: { PATH: bin.path() },
  });
});

afterAll(async () => {
  await agent?.stop();
  prom.stop();
  bin.remove();
});

async function expectHealthy() {
  const s = await scrape(agent.urls.cluster!);
  expect(s.value("cluster_exporter_scrape_ok")).toBe(1);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "physics", user: "alice" })).toBe(1000);
  expect(s.value("cluster_job_write_throughput_bytes", { account: "chemistry", user: "bob" })).toBe(2000);
  expect(s.value("cluster_job_metadata_operations", { account: "physics", user: "alice", target: "fs-MDT0000" })).toBe(3);
  expect(s.value("cluster_proc_read_throughput_bytes", { proc_name: "dd", user_name: "root", group_name: "root" })).toBe(500);
  return s;
}

const errorsOf = async (stage: string) => (await scrape(agent.urls.cluster!)).value("cluster_exporter_stage_errors_total", { name: stage }) ?? NaN;

test("with working sources every family is there and scrape_ok is 1", async () => {
  const s = await expectHealthy();
  for (const stage of ["retrieve_running_jobs", "retrieve_user_name_info", "retrieve_group_name_info", "build_metadata_metrics", "build_read_throughput_metrics", "build_write_throughput_metrics"]) {
    expect(s.value("cluster_exporter_stage_execution_seconds", { name: stage })).toBeGreaterThanOrEqual(0);
    expect(s.value("cluster_exporter_stage_errors_total", { name: stage })).toBe(0);
  }
  expect(prom.queries).toContain("sum by(jobid)(irate(lustre_job_read_bytes_total[1m])!=0)");
  expect(prom.queries).toContain("round(sum by(target,jobid)(irate(lustre_job_stats_total[1m])>=1))");
});

describe("squeue failures cost the job metrics only", () => {
  const cases: [string, string | null][] = [
    ["hangs", "sleep 30"],
    ["prints garbage", "echo '<html><body>502 Bad Gateway</body></html>'"],
    ["exits 1", "echo 'squeue: error: Unable to contact slurm controller (connect failure)' >&2; exit 1"],
    ["is missing", null],
  ];
  for (const [what, body] of cases) {
    test(`squeue that ${what}`, async () => {
      const before = await errorsOf("retrieve_running_jobs");
      if (body === null) rmSync(join(bin.dir, "squeue"));
      else bin.script("squeue", body);
      const s = await scrape(agent.urls.cluster!);
      expect(s.ms).toBeLessThan(BOUND_MS);
      expect(s.value("cluster_exporter_scrape_ok")).toBe(0);
      expect(s.value("cluster_exporter_stage_errors_total", { name: "retrieve_running_jobs" })).toBe(before + 1);
      expect(s.samples("cluster_job_read_throughput_bytes")).toEqual([]);
      expect(s.value("cluster_proc_read_throughput_bytes", { proc_name: "dd" })).toBe(500);
      expect(agent.output()).toContain("stage=retrieve_running_jobs");
      bin.script("squeue", GOOD_SQUEUE);
      await expectHealthy();
    });
  }

  test("squeue that prints nothing means no jobs, not a failure", async () => {
    bin.script("squeue", "exit 0");
    const s = await scrape(agent.urls.cluster!);
    expect(s.value("cluster_exporter_scrape_ok")).toBe(1);
    expect(s.samples("cluster_job_read_throughput_bytes")).toEqual([]);
    expect(s.value("cluster_proc_read_throughput_bytes", { proc_name: "dd" })).toBe(500);
    bin.script("squeue", GOOD_SQUEUE);
    await expectHealthy();
  });
});

test("a hanging getent fails the user stage; jobs still come and processes are skipped, as in the original", async () => {
  bin.script("getent", "sleep 30");
  const s = await scrape(agent.urls.cluster!);
  expect(s.ms).toBeLessThan(BOUND_MS);
  expect(s.value("cluster_exporter_scrape_ok")).toBe(0);
  expect(s.value("cluster_exporter_stage_errors_total", { name: "retrieve_user_name_info" })).toBeGreaterThanOrEqual(1);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "physics", user: "alice" })).toBe(1000);
  expect(s.samples("cluster_proc_read_throughput_bytes")).toEqual([]);
  rmSync(join(bin.dir, "getent"));
  await expectHealthy();
});

/** root's passwd row with a primary gid that getent group does not know (exit 2: "not found"). */
const UNKNOWN_GROUP_GETENT = 'if [ "$1" = passwd ]; then echo "root:x:0:1500:root:/root:/bin/sh"; else exit 2; fi';

test("an unknown primary group or a failing getent skips the process rows, counted and logged once", async () => {
  bin.script("getent", UNKNOWN_GROUP_GETENT);
  const before = (await scrape(agent.urls.cluster!)).value("cluster_exporter_skipped_records_total", { name: "build_read_throughput_metrics" })!;
  const s = await scrape(agent.urls.cluster!);
  expect(s.value("cluster_exporter_scrape_ok")).toBe(1);
  expect(s.samples("cluster_proc_read_throughput_bytes")).toEqual([]);
  expect(s.value("cluster_exporter_skipped_records_total", { name: "build_read_throughput_metrics" })).toBe(before + 1);
  expect(agent.output().match(/gid=1500/g)).toHaveLength(1);
  bin.script("getent", 'echo "getent: NSS unavailable" >&2; exit 1');
  const outage = await scrape(agent.urls.cluster!);
  expect(outage.value("cluster_exporter_scrape_ok")).toBe(0);
  expect(outage.samples("cluster_proc_read_throughput_bytes")).toEqual([]);
  expect(outage.value("cluster_job_read_throughput_bytes", { account: "physics", user: "alice" })).toBe(1000);
  rmSync(join(bin.dir, "getent"));
  await expectHealthy();
});

test("--cluster.numeric-names names such processes by the number instead", async () => {
  bin.script("getent", UNKNOWN_GROUP_GETENT);
  const numeric = await startAgent({
    roles: ["cluster"],
    args: [`--cluster.prometheus-url=${prom.url}`, "--cluster.identity-cache-ttl=0s", "--cluster.numeric-names"],
    env: { PATH: bin.path() },
  });
  try {
    const s = await scrape(numeric.urls.cluster!);
    expect(s.value("cluster_proc_read_throughput_bytes", { proc_name: "dd", user_name: "root", group_name: "1500" })).toBe(500);
    bin.script("getent", "exit 1");
    const outage = await scrape(numeric.urls.cluster!);
    expect(outage.value("cluster_proc_read_throughput_bytes", { proc_name: "dd", user_name: "0", group_name: "" })).toBe(500);
  } finally {
    await numeric.stop();
    rmSync(join(bin.dir, "getent"));
  }
});

describe("Prometheus failures fail the build stages, within the query timeout", () => {
  const cases: [string, (q: string) => Response | Promise<Response>][] = [
    ["answers 400", () => Response.json({ status: "error", errorType: "bad_data", error: "invalid parameter \"query\"" }, { status: 400 })],
    ["answers 503", () => new Response("Service Unavailable", { status: 503 })],
    ["is slow", async () => (await Bun.sleep(3000), vectorAnswer([]))],
  ];
  for (const [what, handler] of cases) {
    test(`Prometheus that ${what}`, async () => {
      const before = await errorsOf("build_read_throughput_metrics");
      prom.handle(handler);
      const s = await scrape(agent.urls.cluster!);
      expect(s.ms).toBeLessThan(BOUND_MS);
      expect(s.value("cluster_exporter_scrape_ok")).toBe(0);
      expect(s.value("cluster_exporter_stage_errors_total", { name: "build_read_throughput_metrics" })).toBe(before + 1);
      expect(s.value("cluster_exporter_stage_errors_total", { name: "retrieve_running_jobs" })).toBe(await errorsOf("retrieve_running_jobs"));
      expect(s.samples("cluster_job_read_throughput_bytes")).toEqual([]);
      expect(agent.output()).toContain("stage=build_write_throughput_metrics");
      prom.handle(answers());
      await expectHealthy();
    });
  }
});

test("Prometheus unreachable: the scrape answers at once, and works once Prometheus is up", async () => {
  const port = await freePort();
  const other = await startAgent({
    roles: ["cluster"],
    args: [`--cluster.prometheus-url=http://127.0.0.1:${port}`, "--cluster.timeout=1s", "--cluster.cache-ttl=0s"],
    env: { PATH: bin.path() },
  });
  let late: ReturnType<typeof Bun.serve> | undefined;
  try {
    const s = await scrape(other.urls.cluster!);
    expect(s.ms).toBeLessThan(BOUND_MS);
    expect(s.value("cluster_exporter_scrape_ok")).toBe(0);
    expect(s.value("cluster_exporter_stage_errors_total", { name: "build_metadata_metrics" })).toBe(1);
    expect(other.output()).toContain("cannot reach");
    const handler = answers();
    late = Bun.serve({ port, hostname: "127.0.0.1", fetch: (req) => handler(new URL(req.url).searchParams.get("query") ?? "") });
    const again = await scrape(other.urls.cluster!);
    expect(again.value("cluster_exporter_scrape_ok")).toBe(1);
    expect(again.value("cluster_job_read_throughput_bytes", { account: "physics", user: "alice" })).toBe(1000);
  } finally {
    late?.stop(true);
    await other.stop();
  }
});

test("without --cluster.prometheus-url the agent exits 2 naming the flag", async () => {
  const a = await startAgent({ roles: ["cluster"], noWait: true });
  expect(await a.proc.exited).toBe(2);
  expect(a.output()).toContain("--cluster.prometheus-url");
  await a.stop();
});
