/**
 * NVIDIA GPUs (node_exporter has no such collector), as nvidia_gpu_exporter names them so its dashboards
 * work: NVML through bun:ffi (on its own thread) when the driver's library loads, else `nvidia-smi`. A host
 * with neither, or with no GPU, gets no GPU series, a successful scrape and node_gpu_collector_state saying why.
 */
import { accessSync, constants, readdirSync } from "node:fs";
import { join } from "node:path";
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { emitGpus } from "./gpu/metrics.ts";
import { NvidiaSmi } from "./gpu/nvidia-smi.ts";
import { NvmlThread } from "./gpu/nvml-thread.ts";
import { emitState, logStateChange, moreTelling, type GpuState } from "./gpu/state.ts";

// Kept across scrapes: NVML stays initialised, nvidia-smi remembers which fields its driver rejects.
const nvmlByLibrary = new Map<string, NvmlThread>();
const smiByCommand = new Map<string, NvidiaSmi>();
let loggedState: GpuState | undefined;

/**
 * Whether the driver has GPUs whose device nodes this process cannot open: systemd's PrivateDevices= or a
 * container without the NVIDIA runtime hides /dev/nvidia*, and NVML then reports a missing driver or an
 * unknown error rather than the permission problem it is.
 */
function devicesHidden(procfs: string): boolean {
  try {
    if (readdirSync(join(procfs, "driver", "nvidia", "gpus")).length === 0) return false;
  } catch {
    return false;
  }
  try {
    accessSync("/dev/nvidiactl", constants.R_OK | constants.W_OK);
    return false;
  } catch {
    return true;
  }
}

export const gpu = defineCollector({
  name: "gpu",
  defaultEnabled: true,
  flags: {
    nvmlLibrary: flag.string(
      "collector.gpu.nvml-library",
      "libnvidia-ml.so.1",
      "NVML library to load (a name the dynamic linker resolves, or a path); empty to skip NVML.",
    ),
    nvidiaSmiCommand: flag.string(
      "collector.gpu.nvidia-smi-command",
      "nvidia-smi",
      "nvidia-smi command (may include arguments), used when NVML cannot be loaded; empty to disable.",
    ),
  },
  async collect(out, { config, log, signal, paths }) {
    let why: { state: GpuState; message: string } = { state: "no_library", message: "NVML and nvidia-smi are both disabled" };
    let nvmlWorks = false;
    if (config.nvmlLibrary) {
      let nvml = nvmlByLibrary.get(config.nvmlLibrary);
      if (!nvml) nvmlByLibrary.set(config.nvmlLibrary, (nvml = new NvmlThread(config.nvmlLibrary, log)));
      const result = await nvml.read(signal);
      if (result.kind === "reading" && result.gpus.length > 0) {
        emitGpus(out, result.gpus, result.cudaVersion);
        emitState(out, (loggedState = logStateChange(log, loggedState, "ok", "NVML")));
        return;
      }
      // NVML works and sees no GPU: nvidia-smi, built on it, would not see one either.
      nvmlWorks = result.kind === "reading";
      why = nvmlWorks ? { state: "no_device", message: "NVML lists no GPU" } : result;
    }
    if (config.nvidiaSmiCommand && !nvmlWorks) {
      let smi = smiByCommand.get(config.nvidiaSmiCommand);
      if (!smi) smiByCommand.set(config.nvidiaSmiCommand, (smi = new NvidiaSmi(config.nvidiaSmiCommand)));
      const result = await smi.read(signal);
      if (result.kind === "reading") {
        emitGpus(out, result.gpus, result.cudaVersion);
        emitState(out, (loggedState = logStateChange(log, loggedState, "ok", "nvidia-smi")));
        return;
      }
      if (moreTelling(result.state, why.state) !== why.state) why = result;
    }
    if (why.state !== "no_permission" && devicesHidden(paths.procfs)) {
      why = { state: "no_permission", message: "the driver lists GPUs but /dev/nvidiactl cannot be opened" };
    }
    emitState(out, (loggedState = logStateChange(log, loggedState, why.state, why.message)));
  },
});
