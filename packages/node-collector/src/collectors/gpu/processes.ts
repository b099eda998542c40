/**
 * Per-process GPU memory and utilisation, labelled with the job behind each process (jobs.ts), so that an
 * operator sees which SLURM job, pod or service holds a GPU. Cardinality stays bounded: processes below
 * --collector.gpu.process-min-memory are summed into one `pid="other"` series per GPU.
 */
import type { MetricSet } from "@agent/core";
import type { JobLabels } from "./jobs.ts";
import { uuidLabel, type GpuReading } from "./metrics.ts";

export function emitProcesses(out: MetricSet, gpus: readonly GpuReading[], minMemoryBytes: number, jobOf: (pid: number) => JobLabels): void {
  for (const gpu of gpus) {
    if (!gpu.processes) continue;
    const uuid = uuidLabel(gpu.info.uuid);
    out.family("node_gpu_processes", "gauge", "Compute processes on the GPU.").add(gpu.processes.length, { uuid });
    let other: { memory: number; sm?: number; mem?: number; count: number } | undefined;
    const series = (labels: Record<string, string>, memory: number | undefined, sm: number | undefined, mem: number | undefined) => {
      if (memory !== undefined) out.family("node_gpu_process_memory_bytes", "gauge", "GPU memory a process uses.").add(memory, labels);
      if (sm !== undefined) out.family("node_gpu_process_sm_utilization_ratio", "gauge", "Share of time the process ran kernels on the GPU's SMs (latest sample).").add(sm / 100, labels);
      if (mem !== undefined) out.family("node_gpu_process_memory_utilization_ratio", "gauge", "Share of time the process used the GPU's memory controller (latest sample).").add(mem / 100, labels);
    };
    for (const p of gpu.processes) {
      if ((p.memoryBytes ?? 0) < minMemoryBytes) {
        other ??= { memory: 0, count: 0 };
        other.memory += p.memoryBytes ?? 0;
        other.count++;
        if (p.smUtil !== undefined) other.sm = (other.sm ?? 0) + p.smUtil;
        if (p.memUtil !== undefined) other.mem = (other.mem ?? 0) + p.memUtil;
        continue;
      }
      series({ uuid, pid: String(p.pid), ...jobOf(p.pid) }, p.memoryBytes, p.smUtil, p.memUtil);
    }
    if (other) series({ uuid, pid: "other" }, other.memory, other.sm, other.mem);
  }
}
