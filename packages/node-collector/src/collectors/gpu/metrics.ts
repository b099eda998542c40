/**
 * What the gpu collector emits, shared by the NVML and nvidia-smi paths so both give the same series for
 * the same GPU. Names, units and labels follow utkuozdemir/nvidia_gpu_exporter, whose Grafana dashboards
 * users already run: a gauge per nvidia-smi query field, named `nvidia_smi_<field with dots as
 * underscores><unit suffix>`, with a `uuid` label (lower case, without the `GPU-` prefix), and one
 * `nvidia_smi_gpu_info` series per GPU carrying the identity labels.
 */
import type { MetricSet } from "@agent/core";
import { GAUGE_FIELDS, gaugeFields, infoQueryFields, NUMERIC_INFO, parseSmiValue, type InfoLabel, type Unit } from "./fields.ts";
import { NVLINK_ERRORS, type GpuReading, type MigActivity } from "./reading.ts";

// Percentages are divided rather than multiplied by 0.01 so that 57 % reads 0.57, not 0.5700000000000001.
const UNIT_SUFFIX: Record<Unit, [suffix: string, multiply: number, divide: number]> = {
  "%": ["_ratio", 1, 100],
  MiB: ["_bytes", 1048576, 1],
  W: ["_watts", 1, 1],
  MHz: ["_clock_hz", 1e6, 1],
  "": ["", 1, 1],
};

/** nvidia_gpu_exporter's per-GPU-instance activity gauges (it has none for DRAM and the FP pipes). */
const MIG_ACTIVITY: readonly [keyof MigActivity, string, string][] = [
  ["graphics", "nvidia_smi_mig_graphics_activity_ratio", "Fraction of time the GPU instance's graphics/compute engines were active, since the collector's previous reading."],
  ["sm", "nvidia_smi_mig_sm_activity_ratio", "Fraction of time the GPU instance's SMs were active, since the collector's previous reading."],
  ["smOccupancy", "nvidia_smi_mig_sm_occupancy_ratio", "Fraction of the GPU instance's resident warp slots that were occupied, since the collector's previous reading."],
  ["tensor", "nvidia_smi_mig_tensor_activity_ratio", "Fraction of time the GPU instance's tensor pipes were active, since the collector's previous reading."],
  ["pcieTxBytes", "nvidia_smi_mig_pcie_throughput_tx_bytes_per_second", "PCIe traffic the GPU instance sent, since the collector's previous reading."],
  ["pcieRxBytes", "nvidia_smi_mig_pcie_throughput_rx_bytes_per_second", "PCIe traffic the GPU instance received, since the collector's previous reading."],
];

/** The exporter's `uuid` label: lower case, without the `GPU-` prefix. */
export function uuidLabel(uuid: string): string {
  const lower = uuid.toLowerCase();
  return lower.startsWith("gpu-") ? lower.slice(4) : lower;
}

/** Per gauge field, computed once: its metric name, HELP text (the nvidia-smi header) and scale. */
const GAUGES = gaugeFields.map((field) => {
  const unit: Unit = GAUGE_FIELDS[field];
  const [suffix, multiply, divide] = UNIT_SUFFIX[unit];
  const name = `nvidia_smi_${field.replace(/\./g, "_")}${suffix}`;
  // The exporter types its ECC `*_total` gauges; they only grow (volatile ones restart at driver reload),
  // so they are typed counter here under the same name, which rate() and promtool accept.
  const type = name.endsWith("_total") ? ("counter" as const) : ("gauge" as const);
  return { field, name, type, help: unit ? `${field} [${unit}]` : field, multiply, divide };
});
const NUMERIC_INFO_GAUGES = NUMERIC_INFO.map((label) => ({ label, name: `nvidia_smi_${infoQueryFields[label].replace(/\./g, "_")}`, help: infoQueryFields[label] }));
const INFO_LABELS = ([...Object.keys(infoQueryFields), "cuda_version"] as (InfoLabel | "cuda_version")[]).sort();

/** Adds the families for these GPUs; `cudaVersion` is the driver's CUDA version ("" when unknown). */
export function emitGpus(out: MetricSet, gpus: readonly GpuReading[], cudaVersion: string): void {
  for (const gpu of gpus) {
    const uuid = uuidLabel(gpu.info.uuid);
    emitIdentity(out, gpu, uuid, cudaVersion);
    emitGauges(out, gpu, uuid);
    emitCounters(out, gpu, uuid);
    emitNvLinks(out, gpu, uuid);
    emitMigDevices(out, gpu, uuid);
    emitXids(out, gpu, uuid);
  }
}

/** nvidia_smi_gpu_info, and the identity fields that read as one number. */
function emitIdentity(out: MetricSet, gpu: GpuReading, uuid: string, cudaVersion: string): void {
  // Sorted label names, as the exporter writes them.
  const infoLabels: Record<string, string> = {};
  for (const label of INFO_LABELS) infoLabels[label] = label === "cuda_version" ? cudaVersion : label === "uuid" ? uuid : gpu.info[label];
  out
    .family("nvidia_smi_gpu_info", "gauge", "Constant 1 per GPU, labelled with its identity (name, driver, PCI bus id, serial, ...).")
    .add(1, infoLabels);
  for (const { label, name, help } of NUMERIC_INFO_GAUGES) {
    const value = parseSmiValue(gpu.info[label]);
    if (value !== undefined) out.family(name, "gauge", help).add(value, { uuid });
  }
}

/** One series per numeric query field the GPU answered, in the metric's base unit. */
function emitGauges(out: MetricSet, gpu: GpuReading, uuid: string): void {
  for (const { field, name, type, help, multiply, divide } of GAUGES) {
    const value = gpu.values[field];
    if (value !== undefined && Number.isFinite(value)) out.family(name, type, help).add((value * multiply) / divide, { uuid });
  }
}

/** NVML only, under the names the exporter's own NVML path uses; pcie_replays_total is ours. */
function emitCounters(out: MetricSet, gpu: GpuReading, uuid: string): void {
  const labels = { uuid };
  const { energyMillijoules, pcieReplays, pcieTxKBps, pcieRxKBps } = gpu.counters ?? {};
  if (energyMillijoules !== undefined) {
    out.family("nvidia_smi_energy_joules_total", "counter", "Energy the GPU consumed since the driver was loaded.").add(energyMillijoules / 1000, labels);
  }
  if (pcieTxKBps !== undefined) out.family("nvidia_smi_pcie_throughput_tx_bytes_per_second", "gauge", "PCIe traffic the GPU sent (driver's 20 ms sample).").add(pcieTxKBps * 1024, labels);
  if (pcieRxKBps !== undefined) out.family("nvidia_smi_pcie_throughput_rx_bytes_per_second", "gauge", "PCIe traffic the GPU received (driver's 20 ms sample).").add(pcieRxKBps * 1024, labels);
  if (pcieReplays !== undefined) out.family("nvidia_smi_pcie_replays_total", "counter", "PCIe replays (link-level retries).").add(pcieReplays, labels);
}

function emitNvLinks(out: MetricSet, gpu: GpuReading, uuid: string): void {
  for (const { link, active, errors } of gpu.nvlinks ?? []) {
    const linkLabels = { uuid, link: String(link) };
    out.family("nvidia_smi_nvlink_state", "gauge", "Whether the NVLink is active (1) or not (0).").add(active ? 1 : 0, linkLabels);
    for (const type of NVLINK_ERRORS) {
      const count = errors[type];
      if (count !== undefined) out.family("nvidia_smi_nvlink_errors_total", "counter", "NVLink errors since the driver loaded, by type.").add(count, { ...linkLabels, type });
    }
  }
}

/** Memory and activity belong to the GPU instance, shared by its compute instances: one series per GPU instance. */
function emitMigDevices(out: MetricSet, gpu: GpuReading, uuid: string): void {
  const instances = new Set<number>();
  for (const mig of gpu.migDevices ?? []) {
    const gi = String(mig.gpuInstanceId);
    out
      .family("nvidia_smi_mig_info", "gauge", "Constant 1 per MIG device, labelled with its parent GPU, its own uuid, instance ids and profile.")
      .add(1, { uuid, mig_uuid: mig.uuid, gpu_instance_id: gi, compute_instance_id: String(mig.computeInstanceId), profile: mig.profile });
    if (instances.has(mig.gpuInstanceId)) continue;
    instances.add(mig.gpuInstanceId);
    const instanceLabels = { uuid, gpu_instance_id: gi };
    for (const kind of ["total", "used", "free"] as const) {
      if (mig.memory) out.family(`nvidia_smi_mig_memory_${kind}_bytes`, "gauge", `Memory of the GPU instance (${kind}).`).add(mig.memory[kind], instanceLabels);
    }
    for (const [key, name, help] of MIG_ACTIVITY) {
      const value = mig.activity?.[key];
      if (value !== undefined) out.family(name, "gauge", help).add(value, instanceLabels);
    }
  }
}

function emitXids(out: MetricSet, gpu: GpuReading, uuid: string): void {
  const { xidErrors, xidLastSeen } = gpu.counters ?? {};
  for (const [xid, count] of xidErrors ?? []) {
    const xidLabels = { uuid, xid: String(xid) };
    out.family("nvidia_smi_xid_errors_total", "counter", "XID errors the driver reported since the agent started, by XID code.").add(count, xidLabels);
    const seen = xidLastSeen?.get(xid);
    if (seen !== undefined) out.family("nvidia_smi_xid_last_timestamp_seconds", "gauge", "When the agent took the newest XID error of this code (Unix time).").add(seen, xidLabels);
  }
}
