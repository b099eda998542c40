/**
 * NVIDIA dcgm-exporter's names (`--collector.gpu.metric-names=dcgm`), for the Kubernetes and SLURM clusters
 * whose dashboards (Grafana 12239) and alerts query `DCGM_FI_*`: the fields of its default counter set that
 * NVML answers without DCGM's host engine, in DCGM's units (MHz, MiB, W, °C, %, mJ) and with its labels
 * `gpu` (index), `UUID` (`GPU-…`), `pci_bus_id`, `device` (`nvidiaN`), `modelName` and `Hostname`.
 */
import type { MetricSet, MetricType } from "@agent/core";
import type { GaugeField, GpuReading } from "./metrics.ts";

interface Field {
  name: string;
  type: MetricType;
  help: string;
  from: GaugeField | NumericCounter;
}

type NumericCounter = "energyMillijoules" | "pcieReplays" | "lastXid";

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
  { name: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", type: "counter", help: "Rows remapped for uncorrectable errors.", from: "remapped_rows.uncorrectable" },
  { name: "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", type: "counter", help: "Rows remapped for correctable errors.", from: "remapped_rows.correctable" },
  { name: "DCGM_FI_DEV_ROW_REMAP_FAILURE", type: "gauge", help: "Whether a row remapping has failed (1) or not (0).", from: "remapped_rows.failure" },
];

export function emitDcgmNames(out: MetricSet, gpus: readonly GpuReading[], hostname: string): void {
  for (const gpu of gpus) {
    const labels = {
      gpu: gpu.info.index,
      UUID: gpu.info.uuid,
      pci_bus_id: gpu.info.pci_bus_id,
      device: `nvidia${gpu.info.index}`,
      modelName: gpu.info.name,
      Hostname: hostname,
    };
    for (const { name, type, help, from } of FIELDS) {
      const value = from in gpu.values ? gpu.values[from as GaugeField] : gpu.counters?.[from as NumericCounter];
      if (value !== undefined && Number.isFinite(value)) out.family(name, type, help).add(value, labels);
    }
  }
}
