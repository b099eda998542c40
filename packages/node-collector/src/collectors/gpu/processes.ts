/**
 * Per-process GPU memory and utilisation under nvidia_gpu_exporter's names (`nvidia_smi_compute_apps`,
 * `nvidia_smi_compute_app_info` and `nvidia_smi_compute_app_used_memory_bytes`, labelled `uuid`, `pid`,
 * `process_name`), plus the job behind each process (jobs.ts) so that an operator sees which SLURM job, pod
 * or service holds a GPU. Cardinality stays bounded: processes below --collector.gpu.process-min-memory are
 * summed into one `pid="other"` series per GPU.
 */
import type { MetricSet } from "@agent/core";
import { uuidLabel } from "./metrics.ts";
import type { GpuReading } from "./reading.ts";

interface Totals {
  memory?: number;
  sm?: number;
  mem?: number;
}

function add(a: number | undefined, b: number | undefined): number | undefined {
  return b === undefined ? a : (a ?? 0) + b;
}

/** `describe` gives a process's labels beyond uuid and pid: its name and its job. */
export function emitProcesses(out: MetricSet, gpus: readonly GpuReading[], minMemoryBytes: number, describe: (pid: number) => Record<string, string>): void {
  out
    .family("nvidia_smi_compute_apps_last_collect_success", "gauge", "Whether the processes of every GPU were read (1) or not (0) at this scrape.")
    .add(gpus.every((g) => g.processes !== undefined) ? 1 : 0, {});
  for (const gpu of gpus) {
    if (!gpu.processes) continue;
    const uuid = uuidLabel(gpu.info.uuid);
    out.family("nvidia_smi_compute_apps", "gauge", "Processes with a compute context on the GPU.").add(gpu.processes.length, { uuid });
    const series = (labels: Record<string, string>, t: Totals) => {
      out.family("nvidia_smi_compute_app_info", "gauge", "Constant 1 per process with a compute context on the GPU, labelled with its identity and job.").add(1, labels);
      if (t.memory !== undefined) out.family("nvidia_smi_compute_app_used_memory_bytes", "gauge", "GPU memory the process uses.").add(t.memory, labels);
      if (t.sm !== undefined) {
        out.family("nvidia_smi_compute_app_sm_utilization_ratio", "gauge", "Share of time the process ran kernels on the GPU's SMs (its latest sample).").add(t.sm / 100, labels);
      }
      if (t.mem !== undefined) {
        out.family("nvidia_smi_compute_app_memory_utilization_ratio", "gauge", "Share of time the process used the GPU's memory controller (its latest sample).").add(t.mem / 100, labels);
      }
    };
    let other: Totals | undefined;
    for (const p of gpu.processes) {
      if ((p.memoryBytes ?? 0) < minMemoryBytes) {
        other ??= {};
        other.memory = (other.memory ?? 0) + (p.memoryBytes ?? 0);
        other.sm = add(other.sm, p.smUtil);
        other.mem = add(other.mem, p.memUtil);
        continue;
      }
      const labels: Record<string, string> = { uuid, pid: String(p.pid), ...describe(p.pid) };
      if (p.name !== undefined) labels.process_name = p.name;
      series(labels, { memory: p.memoryBytes, sm: p.smUtil, mem: p.memUtil });
    }
    if (other) series({ uuid, pid: "other", process_name: "" }, other);
  }
}
