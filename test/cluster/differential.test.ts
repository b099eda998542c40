/**
 * The original Prometheus Cluster Exporter as the oracle: both read the same stand-in squeue and the same
 * stand-in Prometheus answers, and must expose the same cluster_job_* and cluster_proc_* samples. Runs when
 * CLUSTER_EXPORTER_BIN points at a build of the original (see bench/cluster/run.ts for how to build it).
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { freePort, startAgent, waitForHttp, type RunningAgent } from "../harness/index.ts";
import { scrape, standinDir, standinPrometheus, vectorAnswer } from "./standins.ts";

const ORIGINAL = process.env.CLUSTER_EXPORTER_BIN;
const bin = standinDir();
const prom = standinPrometheus((q) => {
  if (q.includes("lustre_job_stats_total")) {
    return vectorAnswer([
      { metric: { jobid: "100", target: "fs-MDT0000" }, value: 4 },
      { metric: { jobid: "101", target: "fs-MDT0000" }, value: 6 },
      { metric: { jobid: "100", target: "fs-OST0001" }, value: 9 },
      { metric: { jobid: "touch.0", target: "fs-MDT0001" }, value: 2 },
    ]);
  }
  const scale = q.includes("read_bytes") ? 1 : 3;
  return vectorAnswer([
    { metric: { jobid: "100" }, value: 1000.5 * scale },
    { metric: { jobid: "101" }, value: 24 * scale },
    { metric: { jobid: "200" }, value: 1_250_000 * scale },
    { metric: { jobid: "999" }, value: 3 },
    { metric: { jobid: "python3.9.0" }, value: 11 * scale },
    { metric: { jobid: "cp.1" }, value: 5 * scale },
    { metric: { jobid: "dd.4242" }, value: 8 }, // no such uid: both skip it
    { metric: { jobid: "tiny.0" }, value: 0.00002 },
  ]);
});
let agent: RunningAgent;
let original: { proc: ReturnType<typeof Bun.spawn>; url: string };

beforeAll(async () => {
  if (!ORIGINAL) return;
  bin.script("squeue", 'printf "100 physics alice\\n101 physics alice\\n200 chem bob\\n300 chem carol\\n"');
  // No identity cache: the tests below swap getent between scrapes, and the original caches nothing.
  const args = [`--cluster.prometheus-url=${prom.url}`, "--cluster.identity-cache-ttl=0s"];
  agent = await startAgent({ roles: ["cluster"], args, env: { PATH: bin.path() } });
  const port = await freePort();
  const proc = Bun.spawn([ORIGINAL, `-promserver=${prom.url}`, `-port=${port}`, "-log=ERROR"], {
    env: { ...process.env, PATH: bin.path() },
    stdout: "ignore",
  });
  original = { proc, url: `http://127.0.0.1:${port}` };
  await waitForHttp(`${original.url}/`, 10_000);
});

afterAll(async () => {
  await agent?.stop();
  original?.proc.kill();
  await original?.proc.exited;
  prom.stop();
  bin.remove();
});

/** The attribution families, scrape_ok and the original's HELP lines, label order normalised. */
function comparable(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => /^(# HELP )?cluster_(job|proc)_|^(# HELP )?cluster_exporter_scrape_ok |^# HELP cluster_exporter_stage_execution/.test(l))
    .map((l) => l.replace(/\{([^}]*)\}/, (_, inner: string) => `{${inner.split(",").sort().join(",")}}`))
    .sort();
}

async function both(): Promise<[string[], string[]]> {
  return [comparable((await scrape(agent.urls.cluster!)).text), comparable((await scrape(original.url)).text)];
}

test.skipIf(!ORIGINAL)("exposes the same samples as the original Cluster Exporter", async () => {
  const [ours, theirs] = await both();
  expect(ours.length).toBeGreaterThan(8);
  expect(ours).toEqual(theirs);
});

test.skipIf(!ORIGINAL)("a user whose primary group getent does not know: both skip that user's processes", async () => {
  // root's primary gid 1500 has no group; daemon's does. Rows whatever the keys: the original enumerates.
  bin.script(
    "getent",
    'if [ "$1" = passwd ]; then printf "root:x:0:1500:root:/root:/bin/sh\\ndaemon:x:1:1:daemon:/:/bin/sh\\n"; else echo "daemon:x:1:"; fi',
  );
  try {
    const [ours, theirs] = await both();
    expect(ours.filter((l) => l.startsWith("cluster_proc_"))).toEqual([
      'cluster_proc_read_throughput_bytes{group_name="daemon",proc_name="cp",user_name="daemon"} 5',
      'cluster_proc_write_throughput_bytes{group_name="daemon",proc_name="cp",user_name="daemon"} 15',
    ]);
    expect(ours).toEqual(theirs);
  } finally {
    rmSync(join(bin.dir, "getent"));
  }
});

test.skipIf(!ORIGINAL)("getent failing outright: neither names any process, and both say the scrape failed", async () => {
  bin.script("getent", 'echo "getent: NSS unavailable" >&2; exit 1');
  try {
    // The job series differ on purpose: the original drops them too, the agent still delivers them.
    const procsAndOk = (lines: string[]) => lines.filter((l) => /^cluster_proc_|^cluster_exporter_scrape_ok /.test(l));
    const [ours, theirs] = await both();
    expect(procsAndOk(ours)).toEqual(["cluster_exporter_scrape_ok 0"]);
    expect(procsAndOk(ours)).toEqual(procsAndOk(theirs));
    expect(ours.some((l) => l.startsWith("cluster_job_read_throughput_bytes"))).toBe(true);
  } finally {
    rmSync(join(bin.dir, "getent"));
  }
});
