/** One GPU's reading, whichever path (NVML or nvidia-smi) produced it: what metrics.ts turns into series. */
import type { GaugeField, InfoLabel } from "./fields.ts";

/** Counters only NVML gives (nvidia-smi's query has no such field); absent on the nvidia-smi path. */
export interface NvmlCounters {
  /** nvmlDeviceGetTotalEnergyConsumption, since the driver was loaded. */
  energyMillijoules?: number;
  /** nvmlDeviceGetPcieReplayCounter. */
  pcieReplays?: number;
  /** XID code -> events seen since the agent started; absent where the GPU reports no XID events. */
  xidErrors?: Map<number, number>;
  /** XID code -> Unix time its newest event was taken. */
  xidLastSeen?: Map<number, number>;
  /** nvmlDeviceGetPcieThroughput over its 20 ms window, in KB/s. */
  pcieTxKBps?: number;
  pcieRxKBps?: number;
  /** The newest XID code, 0 before any. */
  lastXid?: number;
}

/** A compute process on a GPU. */
export interface GpuProcess {
  pid: number;
  /** nvidia-smi's process_name; the NVML path leaves it to /proc/<pid>/cmdline. */
  name?: string;
  /** Absent where NVML cannot tell (Windows WDDM, some MIG setups). */
  memoryBytes?: number;
  /** Its latest sample since the previous scrape, in percent; absent when it had none (and from nvidia-smi). */
  smUtil?: number;
  memUtil?: number;
}

/** NVLink error counters, as nvmlNvLinkErrorCounter_t names them. */
export const NVLINK_ERRORS = ["replay", "recovery", "crc_flit", "crc_data"] as const;

/** One NVLink of a GPU (NVML only). */
export interface NvLink {
  link: number;
  active: boolean;
  /** Per NVLINK_ERRORS entry, since the driver loaded; absent where the link cannot count it. */
  errors: Partial<Record<(typeof NVLINK_ERRORS)[number], number>>;
}

/**
 * A GPU instance's activity between the previous scrape and this one (NVML's GPM, Hopper on): ratios from 0
 * to 1, PCIe in bytes per second; a metric NVML cannot measure for the instance is absent.
 */
export interface MigActivity {
  graphics?: number;
  sm?: number;
  smOccupancy?: number;
  tensor?: number;
  dram?: number;
  fp64?: number;
  fp32?: number;
  fp16?: number;
  pcieTxBytes?: number;
  pcieRxBytes?: number;
}

/** A MIG device (a compute instance of a GPU instance), with its GPU instance's memory and activity (NVML only). */
export interface MigDevice {
  uuid: string;
  /** As nvidia-smi names it: "3g.40gb". */
  profile: string;
  gpuInstanceId: number;
  computeInstanceId: number;
  memory?: { total: number; used: number; free: number };
  activity?: MigActivity;
}

/** One GPU's reading, whichever path produced it. */
export interface GpuReading {
  /** Identity text exactly as nvidia-smi prints it (`GPU-…` uuid, `[N/A]` where the GPU has none). */
  info: Record<InfoLabel, string>;
  /** Numbers in nvidia-smi's units (%, MiB, W, MHz, °C); a field the GPU cannot report is absent. */
  values: Partial<Record<GaugeField, number>>;
  counters?: NvmlCounters;
  processes?: GpuProcess[];
  nvlinks?: NvLink[];
  migDevices?: MigDevice[];
}
