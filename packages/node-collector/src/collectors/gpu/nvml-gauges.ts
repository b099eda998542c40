/**
 * A GPU's gauges through NVML, under nvidia-smi's --query-gpu field names and in its units (MiB, W, MHz), so
 * that both paths emit the same series. Struct layouts and constants are those of NVIDIA's nvml.h.
 */
import type { Pointer } from "bun:ffi";
import { EVENT_REASON_BITS, type GaugeField } from "./fields.ts";
import { NVML_ERROR_INSUFFICIENT_SIZE, NVML_SUCCESS, type Call, type NvmlLibrary } from "./nvml-library.ts";

/**
 * nvmlMemory_v2_t: unsigned version; (4 bytes padding) unsigned long long total, reserved, free, used.
 * `version` is NVML_STRUCT_VERSION(Memory, 2) = sizeof | 2 << 24.
 */
const MEMORY_V2 = { size: 40, version: (40 | (2 << 24)) >>> 0, total: 8, reserved: 16, free: 24, used: 32 } as const;
/** nvmlMemory_t (v1): unsigned long long total, free, used; `used` includes what v2 calls reserved. */
const MEMORY_V1 = { size: 24, total: 0, free: 8, used: 16 } as const;

// nvmlClockType_t
const CLOCK_GRAPHICS = 0;
const CLOCK_SM = 1;
const CLOCK_MEM = 2;
const CLOCK_VIDEO = 3;
const TEMPERATURE_GPU = 0; // nvmlTemperatureSensors_t
const PSTATE_UNKNOWN = 32; // nvmlPstates_t
// nvmlMemoryErrorType_t, nvmlEccCounterType_t, nvmlPageRetirementCause_t
const ECC_CORRECTED = 0;
const ECC_UNCORRECTED = 1;
const ECC_VOLATILE = 0;
const ECC_AGGREGATE = 1;
const RETIRED_MULTIPLE_SINGLE_BIT = 0;
const RETIRED_DOUBLE_BIT = 1;
/** nvmlGpuFabricInfo_t (v1): unsigned char clusterUuid[16]; nvmlReturn_t status; unsigned cliqueId; unsigned char state. */
const FABRIC_INFO = { size: 28, state: 24 } as const;
/**
 * nvmlFieldValue_t: unsigned fieldId, scopeId; long long timestamp, latencyUsec; nvmlValueType_t valueType;
 * nvmlReturn_t nvmlReturn; nvmlValue_t value (8 bytes).
 */
const FIELD_VALUE = { size: 40, fieldId: 0, valueType: 24, nvmlReturn: 28, value: 32 } as const;
const FI_DEV_GET_GPU_RECOVERY_ACTION = 230;
const VALUE_TYPE_UNSIGNED_INT = 1;

/** The device's gauges under nvidia-smi's --query-gpu field names; a field NVML cannot answer is left out. */
export function readGauges(lib: NvmlLibrary, dev: Pointer): Partial<Record<GaugeField, number>> {
  const { fn, opt } = lib;
  const values: Partial<Record<GaugeField, number>> = {};
  const uint = (field: GaugeField, call: Call | undefined, ...args: number[]) => {
    const out = new Uint32Array(1);
    if (call?.(dev, ...args, out) === NVML_SUCCESS) values[field] = out[0]!;
  };
  const milliwatts = (field: GaugeField, call: Call | undefined) => {
    const out = new Uint32Array(1);
    if (call?.(dev, out) === NVML_SUCCESS) values[field] = out[0]! / 1000;
  };

  const util = new Uint32Array(2); // nvmlUtilization_t { unsigned gpu, memory }
  if (fn.nvmlDeviceGetUtilizationRates(dev, util) === NVML_SUCCESS) {
    values["utilization.gpu"] = util[0]!;
    values["utilization.memory"] = util[1]!;
  }
  const codec = (field: GaugeField, call: Call | undefined) => {
    const out = new Uint32Array(1);
    const samplingPeriodUs = new Uint32Array(1);
    if (call?.(dev, out, samplingPeriodUs) === NVML_SUCCESS) values[field] = out[0]!;
  };
  codec("utilization.encoder", opt.nvmlDeviceGetEncoderUtilization);
  codec("utilization.decoder", opt.nvmlDeviceGetDecoderUtilization);

  readMemory(lib, dev, values);
  uint("temperature.gpu", fn.nvmlDeviceGetTemperature, TEMPERATURE_GPU);
  milliwatts("power.draw", fn.nvmlDeviceGetPowerUsage);
  milliwatts("power.limit", opt.nvmlDeviceGetPowerManagementLimit);
  milliwatts("enforced.power.limit", opt.nvmlDeviceGetEnforcedPowerLimit);
  milliwatts("power.default_limit", opt.nvmlDeviceGetPowerManagementDefaultLimit);
  const minLimit = new Uint32Array(1);
  const maxLimit = new Uint32Array(1);
  if (opt.nvmlDeviceGetPowerManagementLimitConstraints?.(dev, minLimit, maxLimit) === NVML_SUCCESS) {
    values["power.min_limit"] = minLimit[0]! / 1000;
    values["power.max_limit"] = maxLimit[0]! / 1000;
  }
  uint("clocks.current.graphics", fn.nvmlDeviceGetClockInfo, CLOCK_GRAPHICS);
  uint("clocks.current.sm", fn.nvmlDeviceGetClockInfo, CLOCK_SM);
  uint("clocks.current.memory", fn.nvmlDeviceGetClockInfo, CLOCK_MEM);
  uint("clocks.current.video", fn.nvmlDeviceGetClockInfo, CLOCK_VIDEO);
  uint("clocks.max.graphics", fn.nvmlDeviceGetMaxClockInfo, CLOCK_GRAPHICS);
  uint("clocks.max.sm", fn.nvmlDeviceGetMaxClockInfo, CLOCK_SM);
  uint("clocks.max.memory", fn.nvmlDeviceGetMaxClockInfo, CLOCK_MEM);
  uint("fan.speed", fn.nvmlDeviceGetFanSpeed);
  uint("pstate", opt.nvmlDeviceGetPerformanceState);
  if (values.pstate === PSTATE_UNKNOWN) delete values.pstate;
  uint("pcie.link.gen.current", opt.nvmlDeviceGetCurrPcieLinkGeneration);
  uint("pcie.link.gen.max", opt.nvmlDeviceGetMaxPcieLinkGeneration);
  uint("pcie.link.width.current", opt.nvmlDeviceGetCurrPcieLinkWidth);
  uint("pcie.link.width.max", opt.nvmlDeviceGetMaxPcieLinkWidth);
  readEventReasons(lib, dev, values);
  uint("persistence_mode", opt.nvmlDeviceGetPersistenceMode);
  uint("compute_mode", opt.nvmlDeviceGetComputeMode);
  const current = new Uint32Array(1);
  const pending = new Uint32Array(1);
  if (opt.nvmlDeviceGetMigMode?.(dev, current, pending) === NVML_SUCCESS) values["mig.mode.current"] = current[0]!;
  if (opt.nvmlDeviceGetEccMode?.(dev, current, pending) === NVML_SUCCESS) values["ecc.mode.current"] = current[0]!;
  readMemoryErrors(lib, dev, values);
  readFabricAndRecovery(lib, dev, values);
  return values;
}

/** memory.* in MiB; v2 splits out what the driver reserves, as nvidia-smi's memory.reserved. */
function readMemory(lib: NvmlLibrary, dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
  const MiB = 1048576;
  const v2 = new DataView(new ArrayBuffer(MEMORY_V2.size));
  v2.setUint32(0, MEMORY_V2.version, true);
  if (lib.opt.nvmlDeviceGetMemoryInfo_v2?.(dev, new Uint8Array(v2.buffer)) === NVML_SUCCESS) {
    values["memory.total"] = Number(v2.getBigUint64(MEMORY_V2.total, true)) / MiB;
    values["memory.reserved"] = Number(v2.getBigUint64(MEMORY_V2.reserved, true)) / MiB;
    values["memory.used"] = Number(v2.getBigUint64(MEMORY_V2.used, true)) / MiB;
    values["memory.free"] = Number(v2.getBigUint64(MEMORY_V2.free, true)) / MiB;
    return;
  }
  const v1 = memoryV1(lib, dev);
  if (v1) {
    values["memory.total"] = v1.total / MiB;
    values["memory.used"] = v1.used / MiB;
    values["memory.free"] = v1.free / MiB;
  }
}

/** A device's (or a MIG device's) memory in bytes as nvmlDeviceGetMemoryInfo gives it, or undefined. */
export function memoryV1(lib: NvmlLibrary, dev: Pointer): { total: number; used: number; free: number } | undefined {
  const v1 = new DataView(new ArrayBuffer(MEMORY_V1.size));
  if (lib.fn.nvmlDeviceGetMemoryInfo(dev, new Uint8Array(v1.buffer)) !== NVML_SUCCESS) return undefined;
  return { total: Number(v1.getBigUint64(MEMORY_V1.total, true)), used: Number(v1.getBigUint64(MEMORY_V1.used, true)), free: Number(v1.getBigUint64(MEMORY_V1.free, true)) };
}

/** clocks_event_reasons.*: the supported and active masks, and one 0/1 per supported reason. */
function readEventReasons(lib: NvmlLibrary, dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
  const supported = new BigUint64Array(1);
  const active = new BigUint64Array(1);
  if (lib.opt.nvmlDeviceGetSupportedClocksThrottleReasons?.(dev, supported) !== NVML_SUCCESS) return;
  values["clocks_event_reasons.supported"] = Number(supported[0]);
  if (lib.opt.nvmlDeviceGetCurrentClocksThrottleReasons?.(dev, active) !== NVML_SUCCESS) return;
  values["clocks_event_reasons.active"] = Number(active[0]);
  for (const [field, bit] of EVENT_REASON_BITS) {
    if (supported[0]! & BigInt(bit)) values[field] = active[0]! & BigInt(bit) ? 1 : 0;
  }
}

/**
 * ECC error totals, retired pages (pre-Ampere) and remapped rows (Ampere on): each call answers
 * NVML_ERROR_NOT_SUPPORTED where the GPU has no ECC or uses the other mechanism, and its fields are absent.
 */
function readMemoryErrors(lib: NvmlLibrary, dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
  const { opt } = lib;
  const count = new BigUint64Array(1);
  const ecc: [GaugeField, number, number][] = [
    ["ecc.errors.corrected.volatile.total", ECC_CORRECTED, ECC_VOLATILE],
    ["ecc.errors.corrected.aggregate.total", ECC_CORRECTED, ECC_AGGREGATE],
    ["ecc.errors.uncorrected.volatile.total", ECC_UNCORRECTED, ECC_VOLATILE],
    ["ecc.errors.uncorrected.aggregate.total", ECC_UNCORRECTED, ECC_AGGREGATE],
  ];
  for (const [field, type, counter] of ecc) {
    if (opt.nvmlDeviceGetTotalEccErrors?.(dev, type, counter, count) === NVML_SUCCESS) values[field] = Number(count[0]);
  }
  // A zero-sized buffer asks for the count only; NVML answers INSUFFICIENT_SIZE when there are pages.
  const pages = new Uint32Array(1);
  for (const [field, cause] of [
    ["retired_pages.single_bit_ecc.count", RETIRED_MULTIPLE_SINGLE_BIT],
    ["retired_pages.double_bit.count", RETIRED_DOUBLE_BIT],
  ] as const) {
    pages[0] = 0;
    const rc = opt.nvmlDeviceGetRetiredPages?.(dev, cause, pages, null);
    if (rc === NVML_SUCCESS || rc === NVML_ERROR_INSUFFICIENT_SIZE) values[field] = pages[0]!;
  }
  const state = new Uint32Array(1);
  if (opt.nvmlDeviceGetRetiredPagesPendingStatus?.(dev, state) === NVML_SUCCESS) values["retired_pages.pending"] = state[0]!;
  const [correctable, uncorrectable, pending, failure] = [1, 2, 3, 4].map(() => new Uint32Array(1)) as [Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  if (opt.nvmlDeviceGetRemappedRows?.(dev, correctable, uncorrectable, pending, failure) === NVML_SUCCESS) {
    values["remapped_rows.correctable"] = correctable[0]!;
    values["remapped_rows.uncorrectable"] = uncorrectable[0]!;
    values["remapped_rows.pending"] = pending[0]!;
    values["remapped_rows.failure"] = failure[0]!;
  }
}

/** fabric.state (NVSwitch systems) and gpu_recovery_action (a field value), as nvidia-smi prints their enums. */
function readFabricAndRecovery(lib: NvmlLibrary, dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
  const fabric = new Uint8Array(FABRIC_INFO.size);
  if (lib.opt.nvmlDeviceGetGpuFabricInfo?.(dev, fabric) === NVML_SUCCESS) values["fabric.state"] = fabric[FABRIC_INFO.state]!;
  const field = new DataView(new ArrayBuffer(FIELD_VALUE.size));
  field.setUint32(FIELD_VALUE.fieldId, FI_DEV_GET_GPU_RECOVERY_ACTION, true);
  if (
    lib.opt.nvmlDeviceGetFieldValues?.(dev, 1, new Uint8Array(field.buffer)) === NVML_SUCCESS &&
    field.getInt32(FIELD_VALUE.nvmlReturn, true) === NVML_SUCCESS &&
    field.getInt32(FIELD_VALUE.valueType, true) === VALUE_TYPE_UNSIGNED_INT
  ) {
    values.gpu_recovery_action = field.getUint32(FIELD_VALUE.value, true);
  }
}
