/**
 * NVIDIA GPUs (node_exporter has no such collector), as nvidia_gpu_exporter names them so its dashboards
 * work: NVML through bun:ffi (on its own thread) when the driver's library loads, else `nvidia-smi`. A host
 * with neither, or with no GPU, gets no GPU series, a successful scrape and node_gpu_collector_state saying why.
 */
import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { flag, type MetricSet } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { emitGpus } from "./gpu/metrics.ts";
import type { GpuReading } from "./gpu/reading.ts";
import { JobMapper } from "./gpu/jobs.ts";
import { emitDcgmNames } from "./gpu/names-dcgm.ts";
import { emitNvmlNames } from "./gpu/names-nvml.ts";
import { NvidiaSmi } from "./gpu/nvidia-smi.ts";
import { NvmlThread } from "./gpu/nvml-thread.ts";
import { emitProcesses } from "./gpu/processes.ts";
import { emitState, logStateChange, moreTelling, type GpuState } from "./gpu/state.ts";

const NAME_SCHEMES = ["nvidia_smi", "nvml", "dcgm"] as const;
type NameScheme = (typeof NAME_SCHEMES)[number];

function emitSchemes(out: MetricSet, schemes: readonly NameScheme[], gpus: readonly GpuReading[], cudaVersion: string): void {
  for (const scheme of schemes) {
    if (scheme === "nvidia_smi") emitGpus(out, gpus, cudaVersion);
    else if (scheme === "nvml") emitNvmlNames(out, gpus);
    else emitDcgmNames(out, gpus, hostname());
  }
}

/**
 * Whether the driver has GPUs whose device nodes this process cannot open: systemd's PrivateDevices= or a
 * container without the NVIDIA runtime hides /dev/nvidia*, and NVML then reports a missing driver or an
 * unknown error rather than the permission problem it is.
 */
function devicesHidden(procfs: string): boolean {
  const listed = join(procfs, "driver", "nvidia", "gpus");
  if (!existsSync(listed) || readdirSync(listed).length === 0) return false;
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
    metricNames: flag.choiceList(
      "collector.gpu.metric-names",
      ["nvidia_smi"],
      NAME_SCHEMES,
      "Whose metric names to emit (comma-separated): nvidia_gpu_exporter's nvidia_smi_*, tankbusta/nvidia_exporter's nvml_*, dcgm-exporter's DCGM_FI_*.",
    ),
    processMinMemory: flag.bytes(
      "collector.gpu.process-min-memory",
      64 * 1048576,
      "GPU processes using less memory than this are summed into one pid=\"other\" series per GPU (bounds cardinality).",
    ),
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
  create({ config, log, paths }) {
    // Kept across scrapes, made on first use: NVML stays initialised, nvidia-smi remembers which fields its
    // driver rejects, the job mapper keeps its passwd cache.
    let nvml: NvmlThread | undefined;
    let smi: NvidiaSmi | undefined;
    let jobs: JobMapper | undefined;
    let loggedState: GpuState | undefined;
    /** devicesHidden, asked once a minute: a GPU-less host would otherwise pay a stat per scrape. */
    let hiddenCheck: { at: number; hidden: boolean } | undefined;
    const hidden = () => {
      const now = performance.now();
      if (!hiddenCheck || now - hiddenCheck.at > 60_000) hiddenCheck = { at: now, hidden: devicesHidden(paths.procfs) };
      return hiddenCheck.hidden;
    };
    return {
      async collect(out, { signal }) {
        const report = (gpus: GpuReading[], cudaVersion: string, source: string) => {
          emitSchemes(out, config.metricNames, gpus, cudaVersion);
          // Processes exist under nvidia_gpu_exporter's names only; the other schemes have none to follow.
          if (config.metricNames.includes("nvidia_smi")) {
            const mapper = (jobs ??= new JobMapper(paths));
            emitProcesses(out, gpus, config.processMinMemory, (pid) => ({ process_name: mapper.processName(pid), ...mapper.jobOf(pid) }));
          }
          emitState(out, (loggedState = logStateChange(log, loggedState, "ok", source)));
        };
        let why: { state: GpuState; message: string } = { state: "no_library", message: "NVML and nvidia-smi are both disabled" };
        let nvmlWorks = false;
        if (config.nvmlLibrary) {
          nvml ??= new NvmlThread(config.nvmlLibrary, log);
          const result = await nvml.read(signal);
          if (result.kind === "reading" && result.gpus.length > 0) return report(result.gpus, result.cudaVersion, "NVML");
          // NVML works and sees no GPU: nvidia-smi, built on it, would not see one either.
          nvmlWorks = result.kind === "reading";
          why = result.kind === "unavailable" ? result : { state: "no_device", message: "NVML lists no GPU" };
        }
        if (config.nvidiaSmiCommand && !nvmlWorks) {
          smi ??= new NvidiaSmi(config.nvidiaSmiCommand);
          const result = await smi.read(signal);
          if (result.kind === "reading") return report(result.gpus, result.cudaVersion, "nvidia-smi");
          if (moreTelling(result.state, why.state) !== why.state) why = result;
        }
        if (why.state !== "no_permission" && hidden()) {
          why = { state: "no_permission", message: "the driver lists GPUs but /dev/nvidiactl cannot be opened" };
        }
        emitState(out, (loggedState = logStateChange(log, loggedState, why.state, why.message)));
      },
    };
  },
});
