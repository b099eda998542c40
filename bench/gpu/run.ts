// The gpu collector's cost per scrape, side by side: NVML (bun:ffi on its worker thread, processes mapped to
// their jobs) vs the nvidia-smi fallback, on a fake host of 8 GPUs with 64 compute processes (8 per GPU, each
// in a SLURM job's cgroup under a fake --path.procfs); and, on a host without GPUs, the node role with the gpu
// collector on vs off (what every GPU-less host pays). CPU per scrape is utime+stime of the agent, plus its
// reaped children (the nvidia-smi runs). The fake nvidia-smi is a shell script, far cheaper than the real one
// (which initialises NVML on every run), so the NVML/nvidia-smi ratio here understates NVML's advantage.
// `bun bench/run.ts gpu` (or `bun bench/gpu/run.ts [rounds]`).
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFakeNvml, FAKE_NVIDIA_SMI, FAKE_SMI_DATA } from "../../packages/node-collector/fixtures/gpu/fakes.ts";
import { startAgent, type RunningAgent } from "../../test/harness/index.ts";

const ROUNDS = Number(process.argv[2] ?? 200);
const GPUS = 8;
const PROCESSES_PER_GPU = 8;
const USER_HZ = 100;

/** utime+stime of the process and of its reaped children, in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / USER_HZ;
}

const work = mkdtempSync(join(tmpdir(), "bench-gpu-"));

// 64 processes, each a SLURM job (cgroup v2 layout), under a fake procfs.
const procfs = join(work, "proc");
const processes = [];
for (let gpu = 0; gpu < GPUS; gpu++) {
  for (let i = 0; i < PROCESSES_PER_GPU; i++) {
    const pid = 10_000 + gpu * 100 + i;
    processes.push({ gpu, pid, mib: 1024 * (i + 1), sm: 10 + i, mem: 5 + i });
    mkdirSync(join(procfs, String(pid)), { recursive: true });
    writeFileSync(join(procfs, String(pid), "cgroup"), `0::/system.slice/slurmstepd.scope/job_${5000 + gpu}/step_0/user/task_${i}\n`);
    writeFileSync(join(procfs, String(pid), "cmdline"), "/usr/bin/python3\0train.py\0");
    writeFileSync(join(procfs, String(pid), "status"), "Name:\tpython3\nUid:\t1001\t1001\t1001\t1001\n");
  }
}
const nvml = buildFakeNvml(work, { gpuCount: GPUS, processes });

// nvidia-smi answering for 8 GPUs: the two captured rows four times, each copy with its own uuid.
const smiDir = join(work, "smi-host");
mkdirSync(join(smiDir, "smi"), { recursive: true });
cpSync(FAKE_NVIDIA_SMI, join(smiDir, "nvidia-smi"));
cpSync(join(FAKE_SMI_DATA, "version.txt"), join(smiDir, "smi", "version.txt"));
const uuidOf = (gpu: number) => `GPU-${gpu.toString(16).padStart(8, "0")}-0000-0000-0000-${gpu.toString(16).padStart(12, "0")}`;
for (let gpu = 0; gpu < GPUS; gpu++) {
  const [header, row] = readFileSync(join(FAKE_SMI_DATA, `gpu${gpu % 2}.csv`), "utf8").split("\n");
  writeFileSync(join(smiDir, "smi", `gpu${gpu}.csv`), `${header}\n${row!.replace(/GPU-[0-9a-f-]{36}/, uuidOf(gpu))}\n`);
}
// The same 64 processes for --query-compute-apps, in the loaded capture's row format.
const [appsHeader, appsRow] = readFileSync(join(FAKE_SMI_DATA, "compute-apps-load.csv"), "utf8").split("\n");
const apps = processes.map((p) => appsRow!.replace(/GPU-[0-9a-f-]{36}, \d+, [^,]+, \d+ MiB/, `${uuidOf(p.gpu)}, ${p.pid}, /usr/bin/python3, ${p.mib} MiB`));
writeFileSync(join(smiDir, "compute-apps.csv"), `${appsHeader}\n${apps.join("\n")}\n`);
writeFileSync(join(smiDir, "nvidia-smi-loaded"), `#!/bin/sh\nFAKE_SMI_COMPUTE_APPS=${join(smiDir, "compute-apps.csv")} exec ${join(smiDir, "nvidia-smi")} "$@"\n`);
chmodSync(join(smiDir, "nvidia-smi-loaded"), 0o755);

interface Side {
  name: string;
  agent: RunningAgent;
  cpuMs: number;
  bytes: number;
}

/** Scrapes the sides in turn, ten scrapes at a time, so that load from other work on the host hits both alike. */
async function measure(sides: Side[]): Promise<void> {
  for (const side of sides) {
    for (let i = 0; i < 20; i++) side.bytes = (await (await fetch(`${side.agent.urls.node}/metrics`)).text()).length; // JIT, NVML init
  }
  for (let done = 0; done < ROUNDS; done += 10) {
    for (const side of sides) {
      const cpu0 = cpuSeconds(side.agent.proc.pid);
      for (let i = 0; i < 10; i++) await (await fetch(`${side.agent.urls.node}/metrics`)).text();
      side.cpuMs += ((cpuSeconds(side.agent.proc.pid) - cpu0) * 1000) / ROUNDS;
    }
  }
}

const GPU_ONLY = ["--collector.disable-defaults", "--collector.gpu", `--path.procfs=${procfs}`];
const agents: RunningAgent[] = [];
try {
  const viaNvml = await startAgent({ roles: ["node"], args: [...GPU_ONLY, `--collector.gpu.nvml-library=${nvml}`, "--collector.gpu.nvidia-smi-command="] });
  const viaSmi = await startAgent({
    roles: ["node"],
    args: [...GPU_ONLY, "--collector.gpu.nvml-library=/nonexistent/libnvidia-ml.so.1", `--collector.gpu.nvidia-smi-command=${join(smiDir, "nvidia-smi-loaded")}`],
  });
  // A host without GPUs (this one): the default node scrape with and without the gpu collector.
  const noGpuOn = await startAgent({ roles: ["node"], args: [] });
  const noGpuOff = await startAgent({ roles: ["node"], args: ["--no-collector.gpu"] });
  agents.push(viaNvml, viaSmi, noGpuOn, noGpuOff);

  const side = (name: string, agent: RunningAgent): Side => ({ name, agent, cpuMs: 0, bytes: 0 });
  const nvmlSide = side(`NVML, ${GPUS} GPUs, ${GPUS * PROCESSES_PER_GPU} processes`, viaNvml);
  const smiSide = side(`nvidia-smi, ${GPUS} GPUs, ${GPUS * PROCESSES_PER_GPU} processes`, viaSmi);
  const off = side("no GPU host, default scrape, --no-collector.gpu", noGpuOff);
  const on = side("no GPU host, default scrape, gpu on", noGpuOn);
  await measure([nvmlSide, smiSide]);
  await measure([off, on]);
  for (const s of [nvmlSide, smiSide, off, on]) console.log(`${s.name.padEnd(52)} ${s.cpuMs.toFixed(3).padStart(8)} ms CPU/scrape  ${s.bytes} bytes`);
  console.log(`\nNVML / nvidia-smi CPU per scrape: ${(nvmlSide.cpuMs / smiSide.cpuMs).toFixed(3)}`);
  console.log(`no-GPU host, gpu collector on / off: ${(on.cpuMs / off.cpuMs).toFixed(3)}`);
} finally {
  await Promise.all(agents.map((a) => a.stop()));
  rmSync(work, { recursive: true, force: true });
}
