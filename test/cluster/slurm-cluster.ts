/**
 * A throw-away single-node SLURM (Debian's slurmctld, slurmd, munge) for the cluster role's tests: its own
 * munged on a private socket and key, its own ports, config and state in a temp dir, found by clients through
 * SLURM_CONF. Needs root. stop() cancels the jobs, stops every daemon it started and removes its users.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../harness/index.ts";

export function slurmAvailable(): boolean {
  return process.getuid?.() === 0 && ["slurmctld", "slurmd", "munged", "sbatch", "squeue", "useradd"].every((p) => Bun.which(p, { PATH: `${process.env.PATH}:/usr/sbin:/sbin` }));
}

function run(argv: string[], env: Record<string, string | undefined> = process.env): string {
  const r = Bun.spawnSync(argv, { env, stdout: "pipe", stderr: "pipe" });
  if (r.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${r.exitCode}: ${r.stderr.toString().trim()}`);
  return r.stdout.toString();
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(100);
  }
}

export interface SlurmCluster {
  /** Environment that points SLURM clients (squeue, sbatch) at this cluster. */
  env: Record<string, string>;
  uid(user: string): number;
  /** Submits `sleep 300` as `user` under `account`; returns the job id. */
  submit(user: string, account: string): string;
  cancel(jobid: string): void;
  stop(): Promise<void>;
}

export async function startSlurm(users: string[]): Promise<SlurmCluster> {
  const dir = mkdtempSync(join(tmpdir(), "slurm-test-"));
  chmodSync(dir, 0o755); // users submitting jobs must reach the munge socket
  const host = hostname().split(".")[0]!;
  const [ctldPort, slurmdPort] = [await freePort(), await freePort()];
  const conf = join(dir, "slurm.conf");
  const env = { ...process.env, SLURM_CONF: conf } as Record<string, string>;
  const pidFiles = ["slurmd.pid", "slurmctld.pid", "munged.pid"].map((f) => join(dir, f));
  const created: string[] = [];
  const jobs: string[] = [];

  const stop = async () => {
    for (const id of jobs) Bun.spawnSync(["scancel", id], { env });
    if (existsSync(pidFiles[1]!)) {
      await until("jobs to end", () => Bun.spawnSync(["squeue", "-ah"], { env }).stdout.toString().trim() === "", 10_000).catch(() => {});
    }
    for (const file of pidFiles) {
      if (!existsSync(file)) continue;
      const pid = Number(readFileSync(file, "utf8"));
      if (!(pid > 0)) continue;
      try {
        process.kill(pid, "SIGTERM");
      } catch {
        continue;
      }
      await until(`pid ${pid} to exit`, () => !alive(pid), 10_000).catch(() => process.kill(pid, "SIGKILL"));
    }
    for (const user of created) Bun.spawnSync(["userdel", "-f", "-r", user], { stderr: "ignore" });
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    for (const user of users) {
      if (Bun.spawnSync(["id", user]).exitCode === 0) Bun.spawnSync(["userdel", "-f", "-r", user], { stderr: "ignore" });
      run(["useradd", "-m", user]);
      created.push(user);
    }
    run(["mungekey", "-c", "-k", join(dir, "munge.key")]);
    const sock = join(dir, "munge.sock");
    // munged refuses root without --force; a private socket and key keep the host's own munge untouched.
    run(["munged", "--force", `--socket=${sock}`, `--key-file=${join(dir, "munge.key")}`, `--pid-file=${pidFiles[2]}`, `--log-file=${join(dir, "munged.log")}`, `--seed-file=${join(dir, "munged.seed")}`]);
    for (const d of ["state", "spool"]) mkdirSync(join(dir, d));
    writeFileSync(conf, slurmConf({ dir, host, ctldPort, slurmdPort, sock, pidFiles }));
    run(["slurmctld"], env);
    run(["slurmd"], env);
    await until("slurmctld to answer", () => Bun.spawnSync(["squeue", "-h"], { env }).exitCode === 0, 20_000);
  } catch (e) {
    const log = existsSync(join(dir, "slurmctld.log")) ? readFileSync(join(dir, "slurmctld.log"), "utf8").slice(-2000) : "";
    await stop();
    throw new Error(`${(e as Error).message}\n${log}`);
  }

  return {
    env: { SLURM_CONF: conf },
    uid: (user) => Number(run(["id", "-u", user]).trim()),
    submit(user, account) {
      const out = run(["su", user, "-s", "/bin/sh", "-c", `cd /tmp && SLURM_CONF=${conf} sbatch --parsable --account=${account} --wrap='sleep 300'`]);
      const id = out.trim().split(";")[0]!;
      jobs.push(id);
      return id;
    },
    cancel(jobid) {
      run(["scancel", jobid], env);
    },
    stop,
  };
}

/** A one-node cluster's slurm.conf, everything it writes kept under `dir`. */
function slurmConf(c: { dir: string; host: string; ctldPort: number; slurmdPort: number; sock: string; pidFiles: string[] }): string {
  const { dir, host, ctldPort, slurmdPort, sock, pidFiles } = c;
  return [
    "ClusterName=agenttest",
    `SlurmctldHost=${host}`,
    `SlurmctldPort=${ctldPort}`,
    `SlurmdPort=${slurmdPort}`,
    "SlurmUser=root",
    "AuthType=auth/munge",
    "CredType=cred/munge",
    `AuthInfo=socket=${sock}`,
    `StateSaveLocation=${join(dir, "state")}`,
    `SlurmdSpoolDir=${join(dir, "spool")}`,
    `SlurmctldPidFile=${pidFiles[1]}`,
    `SlurmdPidFile=${pidFiles[0]}`,
    "ProctrackType=proctrack/linuxproc",
    "TaskPlugin=task/none",
    "SchedulerType=sched/backfill",
    "SelectType=select/cons_tres",
    "SelectTypeParameters=CR_Core",
    "ReturnToService=2",
    "MpiDefault=none",
    "JobAcctGatherType=jobacct_gather/none",
    // No slurmdbd: accounts are taken as given to --account, and squeue's %a shows them.
    "AccountingStorageType=accounting_storage/none",
    `SlurmctldLogFile=${join(dir, "slurmctld.log")}`,
    `SlurmdLogFile=${join(dir, "slurmd.log")}`,
    `NodeName=${host} CPUs=${cpus().length} State=UNKNOWN`,
    `PartitionName=debug Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
    "",
  ].join("\n");
}
