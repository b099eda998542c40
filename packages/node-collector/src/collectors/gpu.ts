/**
 * NVIDIA GPUs (node_exporter has no such collector), as nvidia_gpu_exporter names them so its dashboards
 * work: NVML through bun:ffi when the driver's library loads, else `nvidia-smi`. A host with neither, or
 * with no GPU, gets nothing and a successful scrape.
 */
import { flag, type Logger } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { emitGpus } from "./gpu/metrics.ts";
import { NvidiaSmi } from "./gpu/nvidia-smi.ts";
import { Nvml } from "./gpu/nvml.ts";

/** How long a library that failed to load or initialise is left alone before it is tried again. */
const NVML_RETRY_MS = 60_000;

const nvmlByLibrary = new Map<string, Nvml | { failedAt: number }>();
const smiByCommand = new Map<string, NvidiaSmi>();

/** The initialised library, kept for the life of the process; undefined while it cannot be used. */
function nvmlFor(library: string, log: Logger): Nvml | undefined {
  const known = nvmlByLibrary.get(library);
  if (known instanceof Nvml) return known;
  if (known && Date.now() - known.failedAt < NVML_RETRY_MS) return undefined;
  try {
    const nvml = Nvml.open(library);
    nvmlByLibrary.set(library, nvml);
    return nvml;
  } catch (e) {
    if (!known) log.debug("NVML unavailable, using nvidia-smi", { collector: "gpu", err: (e as Error).message });
    nvmlByLibrary.set(library, { failedAt: Date.now() });
    return undefined;
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
  async collect(out, { config, log, signal }) {
    const nvml = config.nvmlLibrary ? nvmlFor(config.nvmlLibrary, log) : undefined;
    if (nvml) {
      emitGpus(out, nvml.read(), nvml.cudaVersion);
      return;
    }
    if (!config.nvidiaSmiCommand) return;
    let smi = smiByCommand.get(config.nvidiaSmiCommand);
    if (!smi) smiByCommand.set(config.nvidiaSmiCommand, (smi = new NvidiaSmi(config.nvidiaSmiCommand)));
    const reading = await smi.read(signal);
    if (reading) emitGpus(out, reading.gpus, reading.cudaVersion);
  },
});
