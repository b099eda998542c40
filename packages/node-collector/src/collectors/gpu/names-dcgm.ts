/**
 * NVIDIA dcgm-exporter's names (`--collector.gpu.metric-names=dcgm`), for the Kubernetes and SLURM clusters
 * whose dashboards (Grafana 12239) and alerts query `DCGM_FI_*`: the fields of its default counter set that
 * NVML answers without DCGM's host engine, in DCGM's units (MHz, MiB, W, °C, %, mJ) and with its labels
 * `gpu` (index), `UUID` (`GPU-…`), `pci_bus_id`, `device` (`nvidiaN`), `modelName`, `Hostname` and
 * `DCGM_FI_DRIVER_VERSION`. The profiling (DCP) ratios come from NVML's GPM for each MIG GPU instance,
 * labelled `GPU_I_PROFILE` and `GPU_I_ID` as dcgm-exporter labels MIG entities; a whole GPU has none. Not
 * emitted, for want of DCGM: memory temperature, NVLink bandwidth and the vGPU licence.
 */
import type { MetricSet, MetricType } from "@agent/core";
import type { GaugeField } from "./fields.ts";
import { NVLINK_ERRORS, type GpuReading, type MigActivity } from "./reading.ts";

interface Field {
  name: string;
  type: MetricType;
  help: string;
  from: GaugeField | NumericCounter;
}

type NumericCounter = "energyMillijoules" | "pcieReplays" | "lastXid" | "pcieTxBytes" | "pcieRxBytes";

/** The NVLink totals dcgm-exporter offers (commented out of its default set, commonly enabled): summed over links. */
const NVLINK_TOTALS: readonly [string, string, (typeof NVLINK_ERRORS)[number]][] = [
  ["DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", "NVLink flow-control CRC errors, all links.", "crc_flit"],
  ["DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL", "NVLink data CRC errors, all links.", "crc_data"],
  ["DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", "NVLink replays, all links.", "replay"],
  ["DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", "NVLink recoveries, all links.", "recovery"],
];

function counter(gpu: GpuReading, from: NumericCounter): number | undefined {
  const c = gpu.counters;
  if (from === "pcieTxBytes") return c?.pcieTxKBps === undefined ? undefined : c.pcieTxKBps * 1024;
  if (from === "pcieRxBytes") return c?.pcieRxKBps === undefined ? undefined : c.pcieRxKBps * 1024;
  return c?.[from];
}

const FIELDS: readonly Field[] = [
  { name: "DCGM_FI_DEV_SM_CLOCK", type: "gauge", help: "SM clock (MHz).", from: "clocks.current.sm" },
  { name: "DCGM_FI_DEV_MEM_CLOCK", type: "gauge", help: "Memory clock (MHz).", from: "clocks.current.memory" },
  { name: "DCGM_FI_DEV_GPU_TEMP", type: "gauge", help: "GPU temperature (C).", from: "temperature.gpu" },
  { name: "DCGM_FI_DEV_POWER_USAGE", type: "gauge", help: "Power draw (W).", from: "power.draw" },
  { name: "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", type: "counter", help: "Energy consumed since the driver loaded (mJ).", from: "energyMillijoules" },
  { name: "DCGM_FI_DEV_PCIE_REPLAY_COUNTER", type: "counter", help: "PCIe replays (retries).", from: "pcieReplays" },
  { name: "DCGM_FI_DEV_GPU_UTIL", type: "gauge", help: "GPU utilization (%).", from: "utilization.gpu" },
  { name: "DCGM_FI_DEV_MEM_COPY_UTIL", type: "gauge", help: "Memory controller utilization (%).", from: "utilization.memory" },
  { name: "DCGM_FI_DEV_ENC_UTIL", type: "gauge", help: "Encoder utilization (%).", from: "utilization.encoder" },
  { name: "DCGM_FI_DEV_DEC_UTIL", type: "gauge", help: "Decoder utilization (%).", from: "utilization.decoder" },
  { name: "DCGM_FI_DEV_XID_ERRORS", type: "gauge", help: "The newest XID error's code (0: none since the agent started).", from: "lastXid" },
  { name: "DCGM_FI_DEV_FB_FREE", type: "gauge", help: "Framebuffer memory free (MiB).", from: "memory.free" },
  { name: "DCGM_FI_DEV_FB_USED", type: "gauge", help: "Framebuffer memory used (MiB).", from: "memory.used" },
  { name: "DCGM_FI_DEV_FB_RESERVED", type: "gauge", help: "Framebuffer memory the driver reserves (MiB).", from: "memory.reserved" },
  { name: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", type: "counter", help: "Rows remapped for uncorrectable errors.", from: "remapped_rows.uncorrectable" },
  { name: "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", type: "counter", help: "Rows remapped for correctable errors.", from: "remapped_rows.correctable" },
  { name: "DCGM_FI_DEV_ROW_REMAP_FAILURE", type: "gauge", help: "Whether a row remapping has failed (1) or not (0).", from: "remapped_rows.failure" },
  // DCGM reads these from its profiling counters; NVML's 20 ms PCIe sample is the nearest it offers.
  { name: "DCGM_FI_PROF_PCIE_TX_BYTES", type: "gauge", help: "PCIe bytes per second sent (NVML's 20 ms sample).", from: "pcieTxBytes" },
  { name: "DCGM_FI_PROF_PCIE_RX_BYTES", type: "gauge", help: "PCIe bytes per second received (NVML's 20 ms sample).", from: "pcieRxBytes" },
];

/** DCGM's profiling fields (1001-1008) and the GPM reading each one is. */
const PROF_FIELDS: readonly [string, string, keyof MigActivity][] = [
  ["DCGM_FI_PROF_GR_ENGINE_ACTIVE", "Ratio of time the graphics engine is active.", "graphics"],
  ["DCGM_FI_PROF_SM_ACTIVE", "Ratio of cycles an SM has at least one warp assigned.", "sm"],
  ["DCGM_FI_PROF_SM_OCCUPANCY", "Ratio of warps resident on an SM to its maximum.", "smOccupancy"],
  ["DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "Ratio of cycles any tensor pipe is active.", "tensor"],
  ["DCGM_FI_PROF_DRAM_ACTIVE", "Ratio of cycles the device memory interface is active.", "dram"],
  ["DCGM_FI_PROF_PIPE_FP64_ACTIVE", "Ratio of cycles the FP64 pipe is active.", "fp64"],
  ["DCGM_FI_PROF_PIPE_FP32_ACTIVE", "Ratio of cycles the FP32 pipe is active.", "fp32"],
  ["DCGM_FI_PROF_PIPE_FP16_ACTIVE", "Ratio of cycles the FP16 pipe is active.", "fp16"],
];

export function emitDcgmNames(out: MetricSet, gpus: readonly GpuReading[], hostname: string): void {
  // dcgm-exporter's default counters turn DCGM_FI_DRIVER_VERSION into a label of every series.
  for (const gpu of gpus) {
    const labels = {
      gpu: gpu.info.index,
      UUID: gpu.info.uuid,
      pci_bus_id: gpu.info.pci_bus_id,
      device: `nvidia${gpu.info.index}`,
      modelName: gpu.info.name,
      Hostname: hostname,
      DCGM_FI_DRIVER_VERSION: gpu.info.driver_version,
    };
    for (const { name, type, help, from } of FIELDS) {
      const value = from in gpu.values ? gpu.values[from as GaugeField] : counter(gpu, from as NumericCounter);
      if (value !== undefined && Number.isFinite(value)) out.family(name, type, help).add(value, labels);
    }
    const instances = new Set<number>();
    for (const mig of gpu.migDevices ?? []) {
      if (!mig.activity || instances.has(mig.gpuInstanceId)) continue;
      instances.add(mig.gpuInstanceId);
      const { Hostname, DCGM_FI_DRIVER_VERSION, ...device } = labels;
      const instanceLabels = { ...device, GPU_I_PROFILE: mig.profile, GPU_I_ID: String(mig.gpuInstanceId), Hostname, DCGM_FI_DRIVER_VERSION };
      for (const [name, help, key] of PROF_FIELDS) {
        const value = mig.activity[key];
        if (value !== undefined) out.family(name, "gauge", help).add(value, instanceLabels);
      }
    }
    if (!gpu.nvlinks) continue;
    for (const [name, help, type] of NVLINK_TOTALS) {
      const counts = gpu.nvlinks.map((l) => l.errors[type]).filter((c) => c !== undefined);
      if (counts.length > 0) out.family(name, "counter", help).add(counts.reduce((a, b) => a + b, 0), labels);
    }
  }
}
