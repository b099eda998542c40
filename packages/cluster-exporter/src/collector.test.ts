import { expect, test } from "bun:test";
import { createLogger, MetricSet } from "@agent/core";
import { StagedCollector, type ClusterSources, type ScrapeOutcome } from "./collector.ts";
import { addOutcome } from "./exposition.ts";
import type { VectorAnswer } from "./prometheus.ts";
import { clusterQueries } from "./queries.ts";
import { buildReport } from "./report.ts";
import { parseSqueue } from "./squeue.ts";

const queries = clusterQueries(60);

function answer(rows: [Record<string, string>, number][]): VectorAnswer {
  return { samples: rows.map(([labels, value]) => ({ labels, value })), skipped: 0 };
}

const ANSWERS: Record<string, VectorAnswer> = {
  [queries.read]: answer([
    [{ jobid: "100" }, 1000],
    [{ jobid: "101" }, 500],
    [{ jobid: "200" }, 50],
    [{ jobid: "999" }, 7], // finished: squeue does not know it
    [{ jobid: "python3.9.1003" }, 30],
    [{ jobid: "cp.1001" }, 20],
    [{ jobid: "cp.4242" }, 5], // no such uid
    [{ jobid: "SLURM_JOB_x:1:y" }, 3],
  ]),
  [queries.write]: answer([[{ jobid: "200" }, 4096]]),
  [queries.metadata]: answer([
    [{ jobid: "100", target: "fs-MDT0000" }, 4],
    [{ jobid: "101", target: "fs-MDT0000" }, 6],
    [{ jobid: "100", target: "fs-OST0001" }, 9], // OST rows are not metadata
    [{ jobid: "touch.1003", target: "fs-MDT0001" }, 2],
    [{ jobid: "101" }, 1], // no target
  ]),
};

function sources(over: Partial<ClusterSources> = {}): ClusterSources {
  return {
    queries,
    runningJobs: async () => parseSqueue("100 physics alice\n101 physics alice\n200 chemistry bob\nbad line here too\n"),
    query: async (q) => ANSWERS[q]!,
    users: async (uids) =>
      new Map([...uids].map((u) => [u, u === 1001 ? { name: "carol", gid: 500 } : u === 1003 ? { name: "dave", gid: 501 } : null])),
    groups: async (gids) => new Map([...gids].map((g) => [g, g === 500 ? "staff" : null])),
    ...over,
  };
}

const quiet = createLogger({ level: "error", write: () => {} });

function render(c: StagedCollector, o: ScrapeOutcome): string {
  const out = new MetricSet();
  addOutcome(out, o, c);
  return out.render();
}

test("attributes job ids to accounts and users, and procname.uid to process, user and group", async () => {
  const c = new StagedCollector(sources(), quiet);
  const o = (await c.collect())!;
  expect(o.ok).toBe(true);
  const text = render(c, o);
  expect(text).toContain('cluster_job_read_throughput_bytes{account="physics",user="alice"} 1500\n');
  expect(text).toContain('cluster_job_read_throughput_bytes{account="chemistry",user="bob"} 50\n');
  expect(text).toContain('cluster_job_write_throughput_bytes{account="chemistry",user="bob"} 4096\n');
  expect(text).not.toContain('cluster_job_write_throughput_bytes{account="physics"');
  expect(text).toContain('cluster_job_metadata_operations{account="physics",target="fs-MDT0000",user="alice"} 10\n');
  expect(text).not.toContain("OST0001");
  expect(text).toContain('cluster_proc_read_throughput_bytes{group_name="staff",proc_name="cp",user_name="carol"} 20\n');
  expect(text).toContain("cluster_exporter_scrape_ok 1\n");
  expect(text).toContain('cluster_exporter_skipped_records_total{name="retrieve_running_jobs"} 1\n');
  expect(text).toContain('cluster_exporter_stage_errors_total{name="retrieve_running_jobs"} 0\n');
  for (const stage of ["retrieve_running_jobs", "retrieve_user_name_info", "retrieve_group_name_info", "build_metadata_metrics"]) {
    expect(text).toMatch(new RegExp(`cluster_exporter_stage_execution_seconds\\{name="${stage}"\\} [0-9.e+-]+\\n`));
  }
});

test("HELP texts and number formatting are the original's", async () => {
  const big = answer([[{ jobid: "100" }, 1_250_000], [{ jobid: "cp.1001" }, 0.00002]]);
  const c = new StagedCollector(sources({ query: async (q) => (q === queries.read ? big : ANSWERS[q]!) }), quiet);
  const text = render(c, (await c.collect())!);
  expect(text).toContain('cluster_job_read_throughput_bytes{account="physics",user="alice"} 1.25e+06\n');
  expect(text).toContain('cluster_proc_read_throughput_bytes{group_name="staff",proc_name="cp",user_name="carol"} 2e-05\n');
  expect(text).toContain("# HELP cluster_exporter_scrape_ok Indicates if the scrape of the exporter was successful or not.\n");
  expect(text).toContain(
    "# HELP cluster_job_read_throughput_bytes Total IO read throughput of all jobs per account and user in bytes per second.\n",
  );
  expect(text).toContain("# HELP cluster_job_metadata_operations Total metadata operations of all jobs per account and user on a target.\n");
});

test("a process whose uid or primary gid has no name is skipped, counted, and logged once per id", async () => {
  const logged: string[] = [];
  const c = new StagedCollector(sources(), createLogger({ level: "warn", write: (l) => logged.push(l) }));
  await c.collect();
  const text = render(c, (await c.collect())!);
  // cp.4242: no such uid; python3.9.1003 and touch.1003: dave's primary gid 501 has no group.
  expect(text).not.toContain('user_name="4242"');
  expect(text).not.toContain('user_name="dave"');
  expect(text).not.toContain('group_name="501"');
  // Per scrape: read skips SLURM_JOB_x, cp.4242, python3.9.1003; metadata the row without target and touch.1003.
  expect(text).toContain('cluster_exporter_skipped_records_total{name="build_read_throughput_metrics"} 6\n');
  expect(text).toContain('cluster_exporter_skipped_records_total{name="build_metadata_metrics"} 4\n');
  const lines = logged.join("").split("\n");
  expect(lines.filter((l) => l.includes("uid=4242"))).toHaveLength(1);
  expect(lines.filter((l) => l.includes("gid=501"))).toHaveLength(1);
});

test("with numeric names, unknown uids and gids are named by their number", async () => {
  const c = new StagedCollector(sources(), quiet, { numericNames: true });
  const text = render(c, (await c.collect())!);
  expect(text).toContain('cluster_proc_read_throughput_bytes{group_name="501",proc_name="python3.9",user_name="dave"} 30\n');
  expect(text).toContain('cluster_proc_read_throughput_bytes{group_name="",proc_name="cp",user_name="4242"} 5\n');
  expect(text).toContain('cluster_proc_metadata_operations{group_name="501",proc_name="touch",target="fs-MDT0001",user_name="dave"} 2\n');
  expect(text).toContain('cluster_exporter_skipped_records_total{name="build_read_throughput_metrics"} 1\n');
});

test("getent failing outright skips every process row, unless numeric names are asked for", async () => {
  const failing = { users: () => Promise.reject(new Error("getent passwd exited with status 1")) };
  const skip = new StagedCollector(sources(failing), quiet);
  const skipped = render(skip, (await skip.collect())!);
  expect(skipped).toContain("cluster_exporter_scrape_ok 0\n");
  expect(skipped).toContain('cluster_job_read_throughput_bytes{account="physics",user="alice"} 1500\n');
  expect(skipped).not.toContain("cluster_proc_");
  const numeric = new StagedCollector(sources(failing), quiet, { numericNames: true });
  const named = render(numeric, (await numeric.collect())!);
  expect(named).toContain('cluster_proc_read_throughput_bytes{group_name="",proc_name="cp",user_name="1001"} 20\n');
});

test("a failed squeue costs the job metrics only; process metrics still come, and errors are counted", async () => {
  const logged: string[] = [];
  const log = createLogger({ level: "error", write: (l) => logged.push(l) });
  const c = new StagedCollector(sources({ runningJobs: () => Promise.reject(new Error("squeue: not found")) }), log);
  const text = render(c, (await c.collect())!);
  expect(text).toContain("cluster_exporter_scrape_ok 0\n");
  expect(text).toContain('cluster_exporter_stage_errors_total{name="retrieve_running_jobs"} 1\n');
  expect(text).not.toContain("cluster_job_read_throughput_bytes");
  expect(text).toContain('cluster_proc_read_throughput_bytes{group_name="staff",proc_name="cp",user_name="carol"} 20\n');
  expect(logged.join("")).toContain('stage=retrieve_running_jobs err="squeue: not found"');
  await c.collect();
  expect(render(c, c.lastOutcome()!)).toContain('cluster_exporter_stage_errors_total{name="retrieve_running_jobs"} 2\n');
});

test("a failed query fails its own build stage and no other", async () => {
  const c = new StagedCollector(
    sources({ query: async (q) => (q === queries.write ? Promise.reject(new Error("HTTP 503")) : ANSWERS[q]!) }),
    quiet,
  );
  const o = (await c.collect())!;
  expect(o.ok).toBe(false);
  expect(o.stages.build_write_throughput_metrics.error).toBe("HTTP 503");
  expect(o.stages.build_read_throughput_metrics.error).toBeUndefined();
  expect(o.jobs.read.size).toBe(2);
});

test("a scrape arriving while one runs is skipped at once, and the guard is released after", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const logged: string[] = [];
  const c = new StagedCollector(
    sources({ runningJobs: async () => (await gate, parseSqueue("100 physics alice")) }),
    createLogger({ level: "warn", write: (l) => logged.push(l) }),
  );
  const first = c.collect();
  expect(await c.collect()).toBeUndefined();
  expect(logged.join("")).toContain("Collect is still active... - Skipping now");
  release();
  expect((await first)?.ok).toBe(true);
  expect((await c.collect())?.ok).toBe(true);
});

test("the report ranks accounts, users (jobs and processes together) and process names", async () => {
  const c = new StagedCollector(sources(), quiet);
  const report = buildReport((await c.collect())!, 2);
  expect(report.accounts.read).toEqual([
    { name: "physics", value: 1500 },
    { name: "chemistry", value: 50 },
  ]);
  expect(report.users.read).toEqual([
    { name: "alice", value: 1500 },
    { name: "bob", value: 50 },
  ]);
  expect(report.processes.read).toEqual([{ name: "cp", value: 20 }]);
  expect(report.accounts.metadata).toEqual([{ name: "physics", value: 10 }]);
  expect(report.stages.map((s) => s.name)).toEqual([
    "retrieve_running_jobs",
    "retrieve_user_name_info",
    "retrieve_group_name_info",
    "build_metadata_metrics",
    "build_read_throughput_metrics",
    "build_write_throughput_metrics",
  ]);
});
