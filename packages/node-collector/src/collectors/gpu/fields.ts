/**
 * nvidia-smi's query fields, which both the NVML and nvidia-smi paths fill: the numeric ones with the unit
 * nvidia-smi prints them in, the identity ones behind nvidia_smi_gpu_info's labels, and how nvidia-smi's
 * text for a field reads as a number (nvidia_gpu_exporter's rules).
 */

/** The unit nvidia-smi prints in a field's CSV header, which decides the metric's suffix and scale. */
export type Unit = "%" | "MiB" | "W" | "MHz" | "";

/** A numeric query field and the unit nvidia-smi reports it in. */
export const GAUGE_FIELDS = {
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
export const NUMERIC_INFO: readonly InfoLabel[] = ["index", "serial", "compute_cap", "pci_sub_device_id", "driver_version"];

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
