/**
 * What the gpu collector emits, shared by the NVML and nvidia-smi paths so both give the same series for
 * the same GPU. Names, units and labels follow utkuozdemir/nvidia_gpu_exporter, whose Grafana dashboards
 * users already run: a gauge per nvidia-smi query field, named `nvidia_smi_<field with dots as
 * underscores><unit suffix>`, with a `uuid` label (lower case, without the `GPU-` prefix), and one
 * `nvidia_smi_gpu_info` series per GPU carrying the identity labels.
 */
import type { MetricSet } from "@agent/core";

/** The unit nvidia-smi prints in a field's CSV header, which decides the metric's suffix and scale. */
type Unit = "%" | "MiB" | "W" | "MHz" | "";

// Percentages are divided rather than multiplied by 0.01 so that 57 % reads 0.57, not 0.5700000000000001.
const UNIT_SUFFIX: Record<Unit, [suffix: string, multiply: number, divide: number]> = {
  "%": ["_ratio", 1, 100],
  MiB: ["_bytes", 1048576, 1],
  W: ["_watts", 1, 1],
  MHz: ["_clock_hz", 1e6, 1],
  "": ["", 1, 1],
};

/** A numeric query field and the unit nvidia-smi reports it in. */
const GAUGE_FIELDS = {
  "utilization.gpu": "%",
  "utilization.memory": "%",
  "utilization.encoder": "%",
  "utilization.decoder": "%",
  "memory.total": "MiB",
  "memory.reserved": "MiB",
  "memory.used": "MiB",
  "memory.free": "MiB",
  "temperature.gpu": "",
  "power.draw": "W",
  "power.limit": "W",
  "enforced.power.limit": "W",
  "power.default_limit": "W",
  "power.min_limit": "W",
  "power.max_limit": "W",
  "clocks.current.graphics": "MHz",
  "clocks.current.sm": "MHz",
  "clocks.current.memory": "MHz",
  "clocks.current.video": "MHz",
  "clocks.max.graphics": "MHz",
  "clocks.max.sm": "MHz",
  "clocks.max.memory": "MHz",
  "fan.speed": "%",
  pstate: "",
  "pcie.link.gen.current": "",
  "pcie.link.gen.max": "",
  "pcie.link.width.current": "",
  "pcie.link.width.max": "",
  "clocks_event_reasons.supported": "",
  "clocks_event_reasons.active": "",
  "clocks_event_reasons.gpu_idle": "",
  "clocks_event_reasons.applications_clocks_setting": "",
  "clocks_event_reasons.sw_power_cap": "",
  "clocks_event_reasons.hw_slowdown": "",
  "clocks_event_reasons.hw_thermal_slowdown": "",
  "clocks_event_reasons.hw_power_brake_slowdown": "",
  "clocks_event_reasons.sw_thermal_slowdown": "",
  "clocks_event_reasons.sync_boost": "",
  // What operators page on: a GPU losing memory rows or left in the wrong mode.
  persistence_mode: "",
  compute_mode: "",
  "mig.mode.current": "",
  "ecc.mode.current": "",
  "ecc.errors.corrected.volatile.total": "",
  "ecc.errors.corrected.aggregate.total": "",
  "ecc.errors.uncorrected.volatile.total": "",
  "ecc.errors.uncorrected.aggregate.total": "",
  "retired_pages.single_bit_ecc.count": "",
  "retired_pages.double_bit.count": "",
  "retired_pages.pending": "",
  "remapped_rows.correctable": "",
  "remapped_rows.uncorrectable": "",
  "remapped_rows.pending": "",
  "remapped_rows.failure": "",
  "fabric.state": "",
  gpu_recovery_action: "",
} as const satisfies Record<string, Unit>;

export type GaugeField = keyof typeof GAUGE_FIELDS;
export const gaugeFields = Object.keys(GAUGE_FIELDS) as GaugeField[];

/**
 * Fields whose text is an NVML enum, as the exporter maps them: nvmlGpuFabricState_t (3, Completed, is the
 * healthy end of registration) and nvmlDeviceGpuRecoveryAction_t (0, None, is healthy; more needs attention).
 */
export const ENUM_FIELDS: Partial<Record<GaugeField, Record<string, number>>> = {
  "fabric.state": { "not supported": 0, "not started": 1, "in progress": 2, completed: 3 },
  gpu_recovery_action: { none: 0, "gpu reset": 1, reset: 1, "node reboot": 2, reboot: 2, "drain p2p": 3, "drain and reset": 4 },
};

/** The `nvidia_smi_gpu_info` labels and the query field each one comes from. */
const INFO_FIELDS = {
  uuid: "uuid",
  name: "name",
  driver_model_current: "driver_model.current",
  driver_model_pending: "driver_model.pending",
  vbios_version: "vbios_version",
  driver_version: "driver_version",
  pci_bus_id: "pci.bus_id",
  serial: "serial",
  compute_cap: "compute_cap",
  pci_sub_device_id: "pci.sub_device_id",
  index: "index",
} as const;

export type InfoLabel = keyof typeof INFO_FIELDS;
export const infoQueryFields: Record<InfoLabel, string> = INFO_FIELDS;

/**
 * Identity fields that nvidia_gpu_exporter also turns into a gauge when the text holds exactly one number
 * (`index`, `compute_cap` 9.0 -> 9, `pci.sub_device_id` hex, a two-part driver version); the dashboard's
 * GPU selector is `label_values(nvidia_smi_index, uuid)`.
 */
const NUMERIC_INFO: readonly InfoLabel[] = ["index", "serial", "compute_cap", "pci_sub_device_id", "driver_version"];

/** The event-reason flags and their bit in NVML's clocks-event-reasons mask. */
export const EVENT_REASON_BITS: readonly [GaugeField, number][] = [
  ["clocks_event_reasons.gpu_idle", 0x1],
  ["clocks_event_reasons.applications_clocks_setting", 0x2],
  ["clocks_event_reasons.sw_power_cap", 0x4],
  ["clocks_event_reasons.hw_slowdown", 0x8],
  ["clocks_event_reasons.sync_boost", 0x10],
  ["clocks_event_reasons.sw_thermal_slowdown", 0x20],
  ["clocks_event_reasons.hw_thermal_slowdown", 0x40],
  ["clocks_event_reasons.hw_power_brake_slowdown", 0x80],
];

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

/** nvidia_gpu_exporter's per-GPU-instance activity gauges (it has none for DRAM and the FP pipes). */
const MIG_ACTIVITY: readonly [keyof MigActivity, string, string][] = [
  ["graphics", "nvidia_smi_mig_graphics_activity_ratio", "Fraction of time the GPU instance's graphics/compute engines were active, since the collector's previous reading."],
  ["sm", "nvidia_smi_mig_sm_activity_ratio", "Fraction of time the GPU instance's SMs were active, since the collector's previous reading."],
  ["smOccupancy", "nvidia_smi_mig_sm_occupancy_ratio", "Fraction of the GPU instance's resident warp slots that were occupied, since the collector's previous reading."],
  ["tensor", "nvidia_smi_mig_tensor_activity_ratio", "Fraction of time the GPU instance's tensor pipes were active, since the collector's previous reading."],
  ["pcieTxBytes", "nvidia_smi_mig_pcie_throughput_tx_bytes_per_second", "PCIe traffic the GPU instance sent, since the collector's previous reading."],
  ["pcieRxBytes", "nvidia_smi_mig_pcie_throughput_rx_bytes_per_second", "PCIe traffic the GPU instance received, since the collector's previous reading."],
];

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

const NUMBER = /[+-]?(\d*\.)?\d+/g;

const WORDS: Record<string, number> = {
  enabled: 1,
  yes: 1,
  active: 1,
  disabled: 0,
  no: 0,
  "not active": 0,
  default: 0,
  exclusive_thread: 1,
  prohibited: 2,
  exclusive_process: 3,
};

/**
 * An nvidia-smi value as a number, by the exporter's rules: hex as hex, on/off words as 1/0, compute modes
 * as NVML's enum, otherwise the one number in the text (`P8` -> 8). `[N/A]`, `[Not Supported]` and text
 * with no number or several numbers are not a value.
 */
export function parseSmiValue(raw: string): number | undefined {
  const text = raw.trim();
  if (/^0x[0-9a-f]+$/i.test(text)) return Number(BigInt(text));
  const lower = text.toLowerCase();
  if (lower in WORDS) return WORDS[lower];
  if (text.startsWith("[") || lower === "n/a") return undefined;
  const numbers = lower.match(NUMBER);
  return numbers?.length === 1 ? Number(numbers[0]) : undefined;
}

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
const NUMERIC_INFO_GAUGES = NUMERIC_INFO.map((label) => ({ label, name: `nvidia_smi_${INFO_FIELDS[label].replace(/\./g, "_")}`, help: INFO_FIELDS[label] }));
const INFO_LABELS = ([...Object.keys(INFO_FIELDS), "cuda_version"] as (InfoLabel | "cuda_version")[]).sort();

/** Adds the families for these GPUs; `cudaVersion` is the driver's CUDA version ("" when unknown). */
export function emitGpus(out: MetricSet, gpus: readonly GpuReading[], cudaVersion: string): void {
  for (const gpu of gpus) {
    const uuid = uuidLabel(gpu.info.uuid);
    // Sorted label names, as the exporter writes them.
    const infoLabels: Record<string, string> = {};
    for (const label of INFO_LABELS) infoLabels[label] = label === "cuda_version" ? cudaVersion : label === "uuid" ? uuid : gpu.info[label];
    out
      .family("nvidia_smi_gpu_info", "gauge", "Constant 1 per GPU, labelled with its identity (name, driver, PCI bus id, serial, ...).")
      .add(1, infoLabels);

    const labels = { uuid };
    for (const { label, name, help } of NUMERIC_INFO_GAUGES) {
      const value = parseSmiValue(gpu.info[label]);
      if (value !== undefined) out.family(name, "gauge", help).add(value, labels);
    }
    for (const { field, name, type, help, multiply, divide } of GAUGES) {
      const value = gpu.values[field];
      if (value !== undefined && Number.isFinite(value)) out.family(name, type, help).add((value * multiply) / divide, labels);
    }
    // NVML only, under the names the exporter's own NVML path uses; pcie_replays_total is ours.
    const { energyMillijoules, pcieReplays, pcieTxKBps, pcieRxKBps, xidErrors, xidLastSeen } = gpu.counters ?? {};
    if (energyMillijoules !== undefined) {
      out.family("nvidia_smi_energy_joules_total", "counter", "Energy the GPU consumed since the driver was loaded.").add(energyMillijoules / 1000, labels);
    }
    if (pcieTxKBps !== undefined) out.family("nvidia_smi_pcie_throughput_tx_bytes_per_second", "gauge", "PCIe traffic the GPU sent (driver's 20 ms sample).").add(pcieTxKBps * 1024, labels);
    if (pcieRxKBps !== undefined) out.family("nvidia_smi_pcie_throughput_rx_bytes_per_second", "gauge", "PCIe traffic the GPU received (driver's 20 ms sample).").add(pcieRxKBps * 1024, labels);
    if (pcieReplays !== undefined) out.family("nvidia_smi_pcie_replays_total", "counter", "PCIe replays (link-level retries).").add(pcieReplays, labels);
    for (const { link, active, errors } of gpu.nvlinks ?? []) {
      const linkLabels = { uuid, link: String(link) };
      out.family("nvidia_smi_nvlink_state", "gauge", "Whether the NVLink is active (1) or not (0).").add(active ? 1 : 0, linkLabels);
      for (const type of NVLINK_ERRORS) {
        const count = errors[type];
        if (count !== undefined) out.family("nvidia_smi_nvlink_errors_total", "counter", "NVLink errors since the driver loaded, by type.").add(count, { ...linkLabels, type });
      }
    }
    // Memory and activity belong to the GPU instance, shared by its compute instances: one series per GPU instance.
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
    for (const [xid, count] of xidErrors ?? []) {
      const xidLabels = { uuid, xid: String(xid) };
      out.family("nvidia_smi_xid_errors_total", "counter", "XID errors the driver reported since the agent started, by XID code.").add(count, xidLabels);
      const seen = xidLastSeen?.get(xid);
      if (seen !== undefined) out.family("nvidia_smi_xid_last_timestamp_seconds", "gauge", "When the agent took the newest XID error of this code (Unix time).").add(seen, xidLabels);
    }
  }
}
