/**
 * The whole pipeline for real: the node role's lustre collector reads job_stats files whose counters this
 * test advances as time passes; a real Prometheus scrapes it every second; the cluster role asks that
 * Prometheus and must report the throughput written here, per account, user and process.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";
import { scrape, standinDir } from "./standins.ts";

const KiB = 1024;
const MiB = 1024 * KiB;

/** Per target and job: bytes (or operations) per second of each counter. */
interface JobRates {
  read?: number;
  write?: number;
  ops?: Record<string, number>;
}
const OSTS: Record<string, Record<string, JobRates>> = {
  "lfs-OST0000": {
    "100": { read: 1 * MiB, write: 256 * KiB },
    "101": { read: 512 * KiB },
    "200": { write: 2 * MiB },
    "300": { read: 1 * MiB }, // a job squeue does not list: dropped
    "dd.0": { read: 300 * KiB },
  },
  "lfs-OST0001": { "100": { read: 1 * MiB }, "cp.0": { write: 64 * KiB } },
};
const MDTS: Record<string, Record<string, JobRates>> = {
  "lfs-MDT0000": { "100": { ops: { open: 20, close: 20 } }, "touch.0": { ops: { mknod: 5 } } },
};

/** Lustre 2.15 layout for the OSTs (quoting a job id the way lctl does for some), 2.10 for the MDT. */
function ostFile(jobs: Record<string, JobRates>, t: number): string {
  let out = "job_stats:\n";
  for (const [jobid, r] of Object.entries(jobs)) {
    const id = jobid.includes(".") ? `"${jobid}"` : jobid;
    const line = (name: string, rate = 0, unit = "bytes") => {
      const sum = Math.floor(rate * t);
      const samples = Math.floor(sum / 4096);
      return `  ${(name + ":").padEnd(16)} { samples: ${samples}, unit: ${unit}, min: ${samples ? 4096 : 0}, max: ${samples ? 4096 : 0}, sum: ${sum}, sumsq: 0${unit === "bytes" ? ", hist: {  }" : ""} }\n`;
    };
    out += `- job_id:          ${id}\n  snapshot_time:   ${(Date.now() / 1000).toFixed(9)} secs.nsecs\n`;
    out += line("read_bytes", r.read) + line("write_bytes", r.write) + line("read", 0, "usecs") + line("punch", 0, "usecs");
  }
  return out;
}

function mdtFile(jobs: Record<string, JobRates>, t: number): string {
  let out = "job_stats:\n";
  for (const [jobid, r] of Object.entries(jobs)) {
    out += `- job_id:          ${jobid}\n  snapshot_time:   ${Math.floor(Date.now() / 1000)}\n`;
    for (const op of ["open", "close", "mknod", "getattr"]) {
      out += `  ${(op + ":").padEnd(16)} { samples: ${Math.floor((r.ops?.[op] ?? 0) * t)}, unit:  reqs }\n`;
    }
  }
  return out;
}

const procfs = mkdtempSync(join(tmpdir(), "lustre-procfs-"));
const bin = standinDir();
let node: RunningAgent;
let cluster: RunningAgent;
let prometheus: RunningPrometheus;
let writer: ReturnType<typeof setInterval>;

function writeAll(t: number) {
  const put = (dir: string, text: string) => {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "job_stats.tmp"), text);
    renameSync(join(dir, "job_stats.tmp"), join(dir, "job_stats"));
  };
  for (const [target, jobs] of Object.entries(OSTS)) put(join(procfs, "fs/lustre/obdfilter", target), ostFile(jobs, t));
  for (const [target, jobs] of Object.entries(MDTS)) put(join(procfs, "fs/lustre/mdt", target), mdtFile(jobs, t));
}

beforeAll(async () => {
  // Counters grow with time, rewritten often so that irate over two 1 s scrapes sees the rate, not steps.
  const t0 = performance.now();
  writeAll(0);
  writer = setInterval(() => writeAll((performance.now() - t0) / 1000), 50);
  bin.script("squeue", 'printf "100 physics alice\\n101 physics alice\\n200 chemistry bob\\n"');
  node = await startAgent({
    roles: ["node"],
    args: ["--collector.disable-defaults", "--collector.lustre", `--path.procfs=${procfs}`],
  });
  prometheus = await startPrometheus({
    scrapeConfigs: [{ job_name: "lustre", static_configs: [{ targets: [node.urls.node!.replace("http://", "")] }] }],
  });
  cluster = await startAgent({
    roles: ["cluster"],
    args: [`--cluster.prometheus-url=${prometheus.url}`],
    env: { PATH: bin.path() },
  });
}, 60_000);

afterAll(async () => {
  clearInterval(writer);
  await cluster?.stop();
  await prometheus?.stop();
  await node?.stop();
  rmSync(procfs, { recursive: true, force: true });
  bin.remove();
});

const near = (actual: number | undefined, expected: number) =>
  actual !== undefined && Math.abs(actual - expected) <= expected * 0.15;

test("the cluster role reports the Lustre throughput written, per account, user and process", async () => {
  await prometheus.waitFor("sum(irate(lustre_job_read_bytes_total[1m]))", (r) => r.length === 1 && Number(r[0]!.value[1]) > 0, 30_000);
  const expected: [string, Record<string, string>, number][] = [
    ["cluster_job_read_throughput_bytes", { account: "physics", user: "alice" }, 2.5 * MiB],
    ["cluster_job_write_throughput_bytes", { account: "physics", user: "alice" }, 256 * KiB],
    ["cluster_job_write_throughput_bytes", { account: "chemistry", user: "bob" }, 2 * MiB],
    ["cluster_job_metadata_operations", { account: "physics", user: "alice", target: "lfs-MDT0000" }, 40],
    ["cluster_proc_read_throughput_bytes", { proc_name: "dd", user_name: "root", group_name: "root" }, 300 * KiB],
    ["cluster_proc_write_throughput_bytes", { proc_name: "cp", user_name: "root", group_name: "root" }, 64 * KiB],
    ["cluster_proc_metadata_operations", { proc_name: "touch", user_name: "root", group_name: "root", target: "lfs-MDT0000" }, 5],
  ];
  // irate() sees two scrapes of counters rewritten every 50 ms; retry a few scrapes for one within 15 %.
  let last = "";
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    const s = await scrape(cluster.urls.cluster!);
    last = s.text;
    const misses = expected.filter(([name, labels, value]) => !near(s.value(name, labels), value));
    if (misses.length === 0 && s.value("cluster_exporter_scrape_ok") === 1) {
      expect(s.samples("cluster_job_read_throughput_bytes").map((x) => x.labels)).toEqual([{ account: "physics", user: "alice" }]);
      expect(s.samples("cluster_job_metadata_operations").length).toBe(1);
      return;
    }
    await Bun.sleep(1000);
  }
  throw new Error(`cluster role never matched the written rates; last scrape:\n${last}`);
}, 60_000);
