/**
 * The cluster role against a real single-node SLURM: jobs under two accounts and two users made by the
 * test, so squeue and getent are the real programs. Runs as root (CI does); skipped elsewhere.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { slurmAvailable, startSlurm, type SlurmCluster } from "./slurm-cluster.ts";
import { scrape, standinPrometheus, vectorAnswer, type VectorRow } from "./standins.ts";

const available = slurmAvailable();
if (!available) console.warn("slurm.test.ts: needs root and slurmctld/slurmd/munged (see .ci/apt-packages.txt); skipped");

const ALICE = "clu_alice";
const BOB = "clu_bob";
let slurm: SlurmCluster;
let agent: RunningAgent;
const prom = standinPrometheus();
const ids: Record<string, string> = {};

beforeAll(async () => {
  if (!available) return;
  slurm = await startSlurm([ALICE, BOB]);
  ids.alicePhysics = slurm.submit(ALICE, "physics");
  ids.bobChemistry = slurm.submit(BOB, "chemistry");
  ids.bobPhysics = slurm.submit(BOB, "physics");
  const aliceUid = slurm.uid(ALICE);
  prom.handle((q) => {
    let rows: VectorRow[] = [];
    if (q.includes("read_bytes")) {
      rows = [
        { metric: { jobid: ids.alicePhysics! }, value: 1000 },
        { metric: { jobid: ids.bobChemistry! }, value: 2000 },
        { metric: { jobid: ids.bobPhysics! }, value: 4000 },
        { metric: { jobid: `dd.${aliceUid}` }, value: 50 },
      ];
    } else if (q.includes("write_bytes")) rows = [{ metric: { jobid: ids.alicePhysics! }, value: 300 }];
    else rows = [{ metric: { jobid: ids.bobPhysics!, target: "fs-MDT0000" }, value: 7 }];
    return vectorAnswer(rows);
  });
  agent = await startAgent({
    roles: ["cluster"],
    args: [`--cluster.prometheus-url=${prom.url}`, "--cluster.cache-ttl=0s"],
    env: slurm.env,
  });
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await slurm?.stop();
  prom.stop();
}, 60_000);

test.skipIf(!available)("jobs are attributed to their SLURM account and user, processes to their real user and group", async () => {
  const s = await scrape(agent.urls.cluster!);
  expect(s.value("cluster_exporter_scrape_ok")).toBe(1);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "physics", user: ALICE })).toBe(1000);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "chemistry", user: BOB })).toBe(2000);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "physics", user: BOB })).toBe(4000);
  expect(s.value("cluster_job_write_throughput_bytes", { account: "physics", user: ALICE })).toBe(300);
  expect(s.value("cluster_job_metadata_operations", { account: "physics", user: BOB, target: "fs-MDT0000" })).toBe(7);
  // useradd gives each user a group of its own name as primary group.
  expect(s.value("cluster_proc_read_throughput_bytes", { proc_name: "dd", user_name: ALICE, group_name: ALICE })).toBe(50);
  expect(s.samples("cluster_job_read_throughput_bytes").length).toBe(3);
});

test.skipIf(!available)("a cancelled job disappears from the next scrape", async () => {
  slurm.cancel(ids.bobPhysics!);
  const s = await scrape(agent.urls.cluster!);
  expect(s.value("cluster_exporter_scrape_ok")).toBe(1);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "physics", user: BOB })).toBeUndefined();
  expect(s.samples("cluster_job_metadata_operations")).toEqual([]);
  expect(s.value("cluster_job_read_throughput_bytes", { account: "chemistry", user: BOB })).toBe(2000);
});
