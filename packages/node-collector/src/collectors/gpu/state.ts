/**
 * Why the gpu collector is silent, as `node_gpu_collector_state{state}` (one series per state, 1 for the
 * current one, as node_exporter writes enum-like states) and one log line whenever it changes, so that a
 * host whose GPUs vanished from the metrics says whether the library, the devices or the permission is missing.
 */
import type { Logger, MetricSet } from "@agent/core";

/** From least to most telling: a host that has the library but no permission says no_permission. */
export const GPU_STATES = ["no_library", "no_device", "no_permission", "ok"] as const;
export type GpuState = (typeof GPU_STATES)[number];

/** The more telling of two states, for combining what NVML and nvidia-smi found. */
export function moreTelling(a: GpuState, b: GpuState): GpuState {
  return GPU_STATES.indexOf(a) >= GPU_STATES.indexOf(b) ? a : b;
}

/**
 * NVML return codes that say why nvmlInit failed: NO_PERMISSION (4) on /dev/nvidia*, NOT_FOUND (6) and
 * DRIVER_NOT_LOADED (9) where there is no GPU. Any other (LIB_RM_VERSION_MISMATCH 18 after a driver upgrade
 * without a reboot, ...) leaves no usable library.
 */
export function stateOfInitError(nvmlReturn: number): GpuState {
  if (nvmlReturn === 4) return "no_permission";
  if (nvmlReturn === 6 || nvmlReturn === 9) return "no_device";
  return "no_library";
}

/** nvidia-smi's exit codes: 4 no permission, 6 no devices, 9 driver not loaded, 12 no NVML library. */
export function stateOfSmiExit(exitCode: number): GpuState | undefined {
  return ({ 4: "no_permission", 6: "no_device", 9: "no_device", 12: "no_library" } as Record<number, GpuState>)[exitCode];
}

export function emitState(out: MetricSet, state: GpuState): void {
  const family = out.family("node_gpu_collector_state", "gauge", "Why the gpu collector reports GPUs or none: 1 for the current state.");
  for (const s of GPU_STATES) family.add(s === state ? 1 : 0, { state: s });
}

/** Logs a state when it differs from the last one logged; returns the state to remember. */
export function logStateChange(log: Logger, previous: GpuState | undefined, state: GpuState, reason: string): GpuState {
  if (state === previous) return state;
  const fields = { collector: "gpu", state, reason };
  if (state === "ok" || state === "no_library") log.info("gpu collector state", fields);
  else log.warn("gpu collector state", fields);
  return state;
}
