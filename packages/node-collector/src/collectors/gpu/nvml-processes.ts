/**
 * The compute processes on a GPU through NVML, with their memory and their latest utilisation sample since
 * the previous reading. Struct layouts and constants are those of NVIDIA's nvml.h.
 */
import type { Pointer } from "bun:ffi";
import type { GpuProcess } from "./reading.ts";
import { NVML_ERROR_INSUFFICIENT_SIZE, NVML_SUCCESS, type NvmlLibrary } from "./nvml-library.ts";

/** nvmlProcessInfo_t (v2/v3): unsigned pid; (pad) unsigned long long usedGpuMemory; unsigned gpuInstanceId, computeInstanceId. */
const PROCESS_INFO = { size: 24, pid: 0, usedGpuMemory: 8 } as const;
/** nvmlProcessUtilizationSample_t: unsigned pid; (pad) unsigned long long timeStamp; unsigned smUtil, memUtil, encUtil, decUtil. */
const PROCESS_SAMPLE = { size: 32, pid: 0, timeStamp: 8, smUtil: 16, memUtil: 20 } as const;
/** NVML_VALUE_NOT_AVAILABLE as an unsigned long long. */
const NOT_AVAILABLE_U64 = 0xffffffffffffffffn;

export class ProcessReader {
  /** Per GPU index, the newest process-utilisation sample seen, so each reading asks only for newer ones. */
  private readonly lastSample = new Map<number, bigint>();

  constructor(private readonly lib: NvmlLibrary) {}

  /** Compute processes with their memory, and their latest utilisation sample since the previous scrape. */
  read(dev: Pointer, index: number): GpuProcess[] | undefined {
    const list = this.lib.opt.nvmlDeviceGetComputeRunningProcesses_v3;
    if (!list) return undefined;
    const count = new Uint32Array(1);
    let buf = new Uint8Array(0);
    let rc = list(dev, count, null);
    // Processes may start between the two calls: room for a few more, and ask again while short.
    for (let tries = 0; rc === NVML_ERROR_INSUFFICIENT_SIZE && tries < 3; tries++) {
      count[0] = count[0]! + 8;
      buf = new Uint8Array(count[0]! * PROCESS_INFO.size);
      rc = list(dev, count, buf);
    }
    if (rc !== NVML_SUCCESS) return undefined;
    const view = new DataView(buf.buffer);
    const processes = new Map<number, GpuProcess>();
    for (let i = 0; i < count[0]!; i++) {
      const at = i * PROCESS_INFO.size;
      const pid = view.getUint32(at + PROCESS_INFO.pid, true);
      const used = view.getBigUint64(at + PROCESS_INFO.usedGpuMemory, true);
      processes.set(pid, used === NOT_AVAILABLE_U64 ? { pid } : { pid, memoryBytes: Number(used) });
    }
    if (processes.size > 0) this.readProcessUtilization(dev, index, processes);
    return [...processes.values()];
  }

  private readProcessUtilization(dev: Pointer, index: number, processes: Map<number, GpuProcess>): void {
    const sample = this.lib.opt.nvmlDeviceGetProcessUtilization;
    if (!sample) return;
    const since = this.lastSample.get(index) ?? 0n;
    const count = new Uint32Array(1);
    if (sample(dev, null, count, since) !== NVML_ERROR_INSUFFICIENT_SIZE) return; // NOT_FOUND: no new samples
    count[0] = count[0]! + 8;
    const buf = new Uint8Array(count[0]! * PROCESS_SAMPLE.size);
    if (sample(dev, buf, count, since) !== NVML_SUCCESS) return;
    const view = new DataView(buf.buffer);
    const newest = new Map<number, bigint>();
    let last = since;
    for (let i = 0; i < count[0]!; i++) {
      const at = i * PROCESS_SAMPLE.size;
      const pid = view.getUint32(at + PROCESS_SAMPLE.pid, true);
      const time = view.getBigUint64(at + PROCESS_SAMPLE.timeStamp, true);
      if (time > last) last = time;
      const process = processes.get(pid);
      if (!process || time < (newest.get(pid) ?? 0n)) continue;
      newest.set(pid, time);
      process.smUtil = view.getUint32(at + PROCESS_SAMPLE.smUtil, true);
      process.memUtil = view.getUint32(at + PROCESS_SAMPLE.memUtil, true);
    }
    this.lastSample.set(index, last);
  }
}
