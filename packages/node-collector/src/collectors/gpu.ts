/**
 * NVIDIA GPUs (node_exporter has no such collector), as nvidia_gpu_exporter names them so its dashboards
 * work: NVML through bun:ffi (on its own thread) when the driver's library loads, else `nvidia-smi`. A host
 * with neither, or with no GPU, gets nothing and a successful scrape.
 */
import { flag } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { emitGpus } from "./gpu/metrics.ts";
import { NvidiaSmi } from "./gpu/nvidia-smi.ts";
import { NvmlThread } from "./gpu/nvml-thread.ts";

// Kept across scrapes: NVML stays initialised, nvidia-smi remembers which fields its driver rejects.
const nvmlByLibrary = new Map<string, NvmlThread>();
const smiByCommand = new Map<string, NvidiaSmi>();

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
  async collect(out, { config, log, signal }) {
    if (config.nvmlLibrary) {
      let nvml = nvmlByLibrary.get(config.nvmlLibrary);
      if (!nvml) nvmlByLibrary.set(config.nvmlLibrary, (nvml = new NvmlThread(config.nvmlLibrary, log)));
      const reading = await nvml.read(signal);
      if (reading) return emitGpus(out, reading.gpus, reading.cudaVersion);
    }
    if (!config.nvidiaSmiCommand) return;
    let smi = smiByCommand.get(config.nvidiaSmiCommand);
    if (!smi) smiByCommand.set(config.nvidiaSmiCommand, (smi = new NvidiaSmi(config.nvidiaSmiCommand)));
    const reading = await smi.read(signal);
    if (reading) emitGpus(out, reading.gpus, reading.cudaVersion);
  },
});
