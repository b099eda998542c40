/**
 * The preferred path: NVML (libnvidia-ml.so.1, shipped with the driver) through bun:ffi, initialised once
 * and kept open, so a scrape costs a few dozen library calls instead of starting nvidia-smi. Each reading
 * is turned into the text and units nvidia-smi would print, so both paths emit the same series. Its calls
 * block, so it runs on nvml-worker.ts's thread, never on the main one.
 *
 * Struct layouts and constants are those of NVIDIA's nvml.h (x86-64 / aarch64 Linux, LP64).
 */
import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { GpmSampler } from "./gpm.ts";
import { EVENT_REASON_BITS, NVLINK_ERRORS, type GaugeField, type GpuProcess, type GpuReading, type MigActivity, type MigDevice, type NvLink, type NvmlCounters } from "./metrics.ts";
import { stateOfInitError, type GpuState } from "./state.ts";
import { XidWatcher } from "./xid.ts";

const NVML_SUCCESS = 0;
const NVML_ERROR_INSUFFICIENT_SIZE = 7;

// Buffer sizes from nvml.h (the *_V2_* ones where NVML has grown them).
const NAME_SIZE = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
const UUID_SIZE = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE
const SERIAL_SIZE = 30; // NVML_DEVICE_SERIAL_BUFFER_SIZE
const VBIOS_SIZE = 32; // NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE
const DRIVER_VERSION_SIZE = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

/**
 * nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it: char busIdLegacy[16]; unsigned domain, bus, device,
 * pciDeviceId, pciSubSystemId; char busId[32].
 */
const PCI_INFO = { size: 68, pciSubSystemId: 32, busId: 36, busIdSize: 32 } as const;

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
const PCIE_TX = 0; // nvmlPcieUtilCounter_t
const PCIE_RX = 1;
const NVLINK_MAX_LINKS = 18; // NVML_NVLINK_MAX_LINKS
/** nvmlGpuFabricInfo_t (v1): unsigned char clusterUuid[16]; nvmlReturn_t status; unsigned cliqueId; unsigned char state. */
const FABRIC_INFO = { size: 28, state: 24 } as const;
/**
 * nvmlFieldValue_t: unsigned fieldId, scopeId; long long timestamp, latencyUsec; nvmlValueType_t valueType;
 * nvmlReturn_t nvmlReturn; nvmlValue_t value (8 bytes).
 */
const FIELD_VALUE = { size: 40, fieldId: 0, valueType: 24, nvmlReturn: 28, value: 32 } as const;
const FI_DEV_GET_GPU_RECOVERY_ACTION = 230;
const VALUE_TYPE_UNSIGNED_INT = 1;

/** nvmlProcessInfo_t (v2/v3): unsigned pid; (pad) unsigned long long usedGpuMemory; unsigned gpuInstanceId, computeInstanceId. */
const PROCESS_INFO = { size: 24, pid: 0, usedGpuMemory: 8 } as const;
/** nvmlProcessUtilizationSample_t: unsigned pid; (pad) unsigned long long timeStamp; unsigned smUtil, memUtil, encUtil, decUtil. */
const PROCESS_SAMPLE = { size: 32, pid: 0, timeStamp: 8, smUtil: 16, memUtil: 20 } as const;
/** NVML_VALUE_NOT_AVAILABLE as an unsigned long long. */
const NOT_AVAILABLE_U64 = 0xffffffffffffffffn;

const { i32, u32, u64, ptr } = FFIType;

/** Present in every NVML this collector supports; without them the library is not used. */
const REQUIRED = {
  nvmlInit_v2: { args: [], returns: i32 },
  nvmlDeviceGetCount_v2: { args: [ptr], returns: i32 },
  nvmlDeviceGetHandleByIndex_v2: { args: [u32, ptr], returns: i32 },
  nvmlDeviceGetName: { args: [ptr, ptr, u32], returns: i32 },
  nvmlDeviceGetUUID: { args: [ptr, ptr, u32], returns: i32 },
  nvmlDeviceGetPciInfo_v3: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetUtilizationRates: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetMemoryInfo: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetTemperature: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetPowerUsage: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetClockInfo: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetMaxClockInfo: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetFanSpeed: { args: [ptr, ptr], returns: i32 },
  nvmlSystemGetDriverVersion: { args: [ptr, u32], returns: i32 },
} as const;

/** Newer or less common entry points: each is looked up on its own and its reading skipped when absent. */
const OPTIONAL = {
  nvmlDeviceGetMemoryInfo_v2: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetSerial: { args: [ptr, ptr, u32], returns: i32 },
  nvmlDeviceGetVbiosVersion: { args: [ptr, ptr, u32], returns: i32 },
  nvmlDeviceGetCudaComputeCapability: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlSystemGetCudaDriverVersion_v2: { args: [ptr], returns: i32 },
  nvmlDeviceGetEncoderUtilization: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetDecoderUtilization: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetPowerManagementLimit: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetEnforcedPowerLimit: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetPowerManagementDefaultLimit: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetPowerManagementLimitConstraints: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetPerformanceState: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetCurrPcieLinkGeneration: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetMaxPcieLinkGeneration: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetCurrPcieLinkWidth: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetMaxPcieLinkWidth: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetSupportedClocksThrottleReasons: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetCurrentClocksThrottleReasons: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetPersistenceMode: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetComputeMode: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetMigMode: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetEccMode: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetTotalEccErrors: { args: [ptr, u32, u32, ptr], returns: i32 },
  nvmlDeviceGetRetiredPages: { args: [ptr, u32, ptr, ptr], returns: i32 },
  nvmlDeviceGetRetiredPagesPendingStatus: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetRemappedRows: { args: [ptr, ptr, ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetTotalEnergyConsumption: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetPcieReplayCounter: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetPcieThroughput: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetNvLinkState: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetGpuFabricInfo: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetFieldValues: { args: [ptr, i32, ptr], returns: i32 },
  nvmlDeviceGetMaxMigDeviceCount: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetMigDeviceHandleByIndex: { args: [ptr, u32, ptr], returns: i32 },
  nvmlDeviceGetGpuInstanceId: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetComputeInstanceId: { args: [ptr, ptr], returns: i32 },
  nvmlDeviceGetNvLinkErrorCounter: { args: [ptr, u32, u32, ptr], returns: i32 },
  nvmlDeviceGetComputeRunningProcesses_v3: { args: [ptr, ptr, ptr], returns: i32 },
  nvmlDeviceGetProcessUtilization: { args: [ptr, ptr, ptr, u64], returns: i32 },
  nvmlEventSetCreate: { args: [ptr], returns: i32 },
  nvmlDeviceRegisterEvents: { args: [ptr, u64, ptr], returns: i32 },
  nvmlEventSetWait_v2: { args: [ptr, ptr, u32], returns: i32 },
  nvmlGpmQueryDeviceSupport: { args: [ptr, ptr], returns: i32 },
  nvmlGpmSampleAlloc: { args: [ptr], returns: i32 },
  nvmlGpmSampleFree: { args: [ptr], returns: i32 },
  nvmlGpmMigSampleGet: { args: [ptr, u32, ptr], returns: i32 },
  nvmlGpmMetricsGet: { args: [ptr], returns: i32 },
} as const;

/** A bound NVML entry point. */
export type Call = (...args: (number | bigint | Pointer | NodeJS.TypedArray | null)[]) => number;
type Required = Record<keyof typeof REQUIRED, Call>;
type Optional = Partial<Record<keyof typeof OPTIONAL, Call>>;

/** NVML cannot be used here; `state` says why. */
export class NvmlError extends Error {
  constructor(
    message: string,
    readonly state: GpuState,
  ) {
    super(message);
  }
}

/** An initialised NVML. Never shut down: NVML is meant to stay initialised for the life of the process. */
export class Nvml {
  /** CUDA version the driver supports, as nvidia-smi prints it ("12.4"), or "". */
  readonly cudaVersion: string;
  /** Per GPU index, the newest process-utilisation sample seen, so each scrape asks only for newer ones. */
  private readonly lastSample = new Map<number, bigint>();
  private readonly xids: XidWatcher | undefined;
  private readonly gpm: GpmSampler;

  private constructor(
    private readonly fn: Required,
    private readonly opt: Optional,
  ) {
    this.xids = XidWatcher.create(opt);
    this.gpm = new GpmSampler(opt);
    const v = new Int32Array(1);
    this.cudaVersion =
      opt.nvmlSystemGetCudaDriverVersion_v2?.(v) === NVML_SUCCESS ? `${Math.floor(v[0]! / 1000)}.${Math.floor((v[0]! % 1000) / 10)}` : "";
  }

  /** Opens and initialises the library; throws NvmlError when it is missing or nvmlInit fails. */
  static open(library: string): Nvml {
    let fn: Required;
    try {
      fn = dlopen(library, REQUIRED).symbols as unknown as Required;
    } catch (e) {
      throw new NvmlError(`cannot load ${library}: ${(e as Error).message}`, "no_library");
    }
    const rc = fn.nvmlInit_v2();
    if (rc !== NVML_SUCCESS) throw new NvmlError(`nvmlInit_v2 returned NVML error ${rc}`, stateOfInitError(rc));
    const opt: Optional = {};
    for (const [name, def] of Object.entries(OPTIONAL)) {
      try {
        // dlopen again only adds a reference to the already loaded library.
        opt[name as keyof typeof OPTIONAL] = (dlopen(library, { [name]: def }).symbols as unknown as Record<string, Call>)[name];
      } catch {
        // An older driver without this entry point: that reading is skipped.
      }
    }
    return new Nvml(fn, opt);
  }

  /** Takes the XID events queued since the last call; the worker calls it between scrapes too. */
  drainEvents(): void {
    this.xids?.drain();
  }

  read(): GpuReading[] {
    const count = new Uint32Array(1);
    const rc = this.fn.nvmlDeviceGetCount_v2(count);
    if (rc !== NVML_SUCCESS) throw new Error(`nvmlDeviceGetCount_v2 returned NVML error ${rc}`);
    const driverVersion = this.text((buf, n) => this.fn.nvmlSystemGetDriverVersion(buf, n), DRIVER_VERSION_SIZE);
    const devices: [Pointer, number][] = [];
    for (let i = 0; i < count[0]!; i++) {
      const handle = new BigUint64Array(1);
      // A GPU NVML cannot open (lost, or no permission) is left out; the others are still read.
      if (this.fn.nvmlDeviceGetHandleByIndex_v2(i, handle) !== NVML_SUCCESS) continue;
      const dev = Number(handle[0]) as Pointer;
      this.xids?.countsFor(dev); // registered before the drain, so that the first reading has its events
      devices.push([dev, i]);
    }
    this.xids?.drain();
    const readings = devices.map(([dev, i]) => this.readDevice(dev, i, driverVersion));
    this.gpm.sweep();
    return readings;
  }

  private readDevice(dev: Pointer, index: number, driverVersion: string): GpuReading {
    const values = this.readGauges(dev);
    return {
      counters: this.readCounters(dev),
      processes: this.readProcesses(dev, index),
      nvlinks: this.readNvLinks(dev),
      migDevices: values["mig.mode.current"] === 1 ? this.readMigDevices(dev) : undefined,
      info: this.readInfo(dev, index, driverVersion),
      values,
    };
  }

  /** The device's gauges under nvidia-smi's --query-gpu field names; a field NVML cannot answer is left out. */
  private readGauges(dev: Pointer): Partial<Record<GaugeField, number>> {
    const { fn, opt } = this;
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

    this.readMemory(dev, values);
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
    this.readEventReasons(dev, values);
    uint("persistence_mode", opt.nvmlDeviceGetPersistenceMode);
    uint("compute_mode", opt.nvmlDeviceGetComputeMode);
    const current = new Uint32Array(1);
    const pending = new Uint32Array(1);
    if (opt.nvmlDeviceGetMigMode?.(dev, current, pending) === NVML_SUCCESS) values["mig.mode.current"] = current[0]!;
    if (opt.nvmlDeviceGetEccMode?.(dev, current, pending) === NVML_SUCCESS) values["ecc.mode.current"] = current[0]!;
    this.readMemoryErrors(dev, values);
    this.readFabricAndRecovery(dev, values);
    return values;
  }

  private readCounters(dev: Pointer): NvmlCounters {
    const { opt } = this;
    const counters: NvmlCounters = {};
    const energy = new BigUint64Array(1);
    if (opt.nvmlDeviceGetTotalEnergyConsumption?.(dev, energy) === NVML_SUCCESS) counters.energyMillijoules = Number(energy[0]);
    const replays = new Uint32Array(1);
    if (opt.nvmlDeviceGetPcieReplayCounter?.(dev, replays) === NVML_SUCCESS) counters.pcieReplays = replays[0]!;
    const kbps = new Uint32Array(1);
    if (opt.nvmlDeviceGetPcieThroughput?.(dev, PCIE_TX, kbps) === NVML_SUCCESS) counters.pcieTxKBps = kbps[0]!;
    if (opt.nvmlDeviceGetPcieThroughput?.(dev, PCIE_RX, kbps) === NVML_SUCCESS) counters.pcieRxKBps = kbps[0]!;
    const xids = this.xids?.countsFor(dev);
    if (xids) {
      counters.xidErrors = new Map(xids.byCode);
      counters.xidLastSeen = new Map(xids.lastSeen);
      counters.lastXid = xids.last;
    }
    return counters;
  }

  /** The labels of nvidia_smi_gpu_info, as nvidia-smi prints them ("[N/A]" where it has none). */
  private readInfo(dev: Pointer, index: number, driverVersion: string): GpuReading["info"] {
    const { fn, opt } = this;
    const pci = new Uint8Array(PCI_INFO.size);
    const pciOk = fn.nvmlDeviceGetPciInfo_v3(dev, pci) === NVML_SUCCESS;
    const pciView = new DataView(pci.buffer);
    const major = new Int32Array(1);
    const minor = new Int32Array(1);
    const ccOk = opt.nvmlDeviceGetCudaComputeCapability?.(dev, major, minor) === NVML_SUCCESS;
    return {
      uuid: this.text((b, n) => fn.nvmlDeviceGetUUID(dev, b, n), UUID_SIZE),
      name: this.text((b, n) => fn.nvmlDeviceGetName(dev, b, n), NAME_SIZE),
      // Windows-only (WDDM/TCC); nvidia-smi prints [N/A] on Linux.
      driver_model_current: "[N/A]",
      driver_model_pending: "[N/A]",
      vbios_version: this.text((b, n) => opt.nvmlDeviceGetVbiosVersion?.(dev, b, n), VBIOS_SIZE),
      driver_version: driverVersion,
      pci_bus_id: pciOk ? cString(pci.subarray(PCI_INFO.busId, PCI_INFO.busId + PCI_INFO.busIdSize)) : "[N/A]",
      serial: this.text((b, n) => opt.nvmlDeviceGetSerial?.(dev, b, n), SERIAL_SIZE),
      compute_cap: ccOk ? `${major[0]}.${minor[0]}` : "[N/A]",
      pci_sub_device_id: pciOk ? hex32(pciView.getUint32(PCI_INFO.pciSubSystemId, true)) : "[N/A]",
      index: String(index),
    };
  }

  /** memory.* in MiB; v2 splits out what the driver reserves, as nvidia-smi's memory.reserved. */
  private readMemory(dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
    const MiB = 1048576;
    const v2 = new DataView(new ArrayBuffer(MEMORY_V2.size));
    v2.setUint32(0, MEMORY_V2.version, true);
    if (this.opt.nvmlDeviceGetMemoryInfo_v2?.(dev, new Uint8Array(v2.buffer)) === NVML_SUCCESS) {
      values["memory.total"] = Number(v2.getBigUint64(MEMORY_V2.total, true)) / MiB;
      values["memory.reserved"] = Number(v2.getBigUint64(MEMORY_V2.reserved, true)) / MiB;
      values["memory.used"] = Number(v2.getBigUint64(MEMORY_V2.used, true)) / MiB;
      values["memory.free"] = Number(v2.getBigUint64(MEMORY_V2.free, true)) / MiB;
      return;
    }
    const v1 = new DataView(new ArrayBuffer(MEMORY_V1.size));
    if (this.fn.nvmlDeviceGetMemoryInfo(dev, new Uint8Array(v1.buffer)) === NVML_SUCCESS) {
      values["memory.total"] = Number(v1.getBigUint64(MEMORY_V1.total, true)) / MiB;
      values["memory.used"] = Number(v1.getBigUint64(MEMORY_V1.used, true)) / MiB;
      values["memory.free"] = Number(v1.getBigUint64(MEMORY_V1.free, true)) / MiB;
    }
  }

  /** clocks_event_reasons.*: the supported and active masks, and one 0/1 per supported reason. */
  private readEventReasons(dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
    const supported = new BigUint64Array(1);
    const active = new BigUint64Array(1);
    if (this.opt.nvmlDeviceGetSupportedClocksThrottleReasons?.(dev, supported) !== NVML_SUCCESS) return;
    values["clocks_event_reasons.supported"] = Number(supported[0]);
    if (this.opt.nvmlDeviceGetCurrentClocksThrottleReasons?.(dev, active) !== NVML_SUCCESS) return;
    values["clocks_event_reasons.active"] = Number(active[0]);
    for (const [field, bit] of EVENT_REASON_BITS) {
      if (supported[0]! & BigInt(bit)) values[field] = active[0]! & BigInt(bit) ? 1 : 0;
    }
  }

  /**
   * ECC error totals, retired pages (pre-Ampere) and remapped rows (Ampere on): each call answers
   * NVML_ERROR_NOT_SUPPORTED where the GPU has no ECC or uses the other mechanism, and its fields are absent.
   */
  private readMemoryErrors(dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
    const { opt } = this;
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

  /**
   * The MIG devices of a GPU in MIG mode: slots are sparse (profiles take several), so every one is tried.
   * Activity is sampled once per GPU instance and shared by its compute instances.
   */
  private readMigDevices(dev: Pointer): MigDevice[] | undefined {
    const { nvmlDeviceGetMaxMigDeviceCount: maxCount, nvmlDeviceGetMigDeviceHandleByIndex: byIndex } = this.opt;
    const slots = new Uint32Array(1);
    if (!maxCount || !byIndex || maxCount(dev, slots) !== NVML_SUCCESS) return undefined;
    const migs: MigDevice[] = [];
    const handle = new BigUint64Array(1);
    const gi = new Uint32Array(1);
    const ci = new Uint32Array(1);
    const activity = new Map<number, MigActivity | undefined>();
    for (let slot = 0; slot < slots[0]!; slot++) {
      if (byIndex(dev, slot, handle) !== NVML_SUCCESS) continue; // NOT_FOUND: an empty slot
      const mig = Number(handle[0]) as Pointer;
      if (this.opt.nvmlDeviceGetGpuInstanceId?.(mig, gi) !== NVML_SUCCESS) continue;
      const computeOk = this.opt.nvmlDeviceGetComputeInstanceId?.(mig, ci) === NVML_SUCCESS;
      const name = this.text((b, n) => this.fn.nvmlDeviceGetName(mig, b, n), NAME_SIZE);
      const v1 = new DataView(new ArrayBuffer(MEMORY_V1.size));
      const memoryOk = this.fn.nvmlDeviceGetMemoryInfo(mig, new Uint8Array(v1.buffer)) === NVML_SUCCESS;
      if (!activity.has(gi[0]!)) activity.set(gi[0]!, this.gpm.activity(dev, gi[0]!));
      migs.push({
        uuid: this.text((b, n) => this.fn.nvmlDeviceGetUUID(mig, b, n), UUID_SIZE),
        profile: name.includes(" MIG ") ? name.slice(name.indexOf(" MIG ") + 5) : "",
        gpuInstanceId: gi[0]!,
        computeInstanceId: computeOk ? ci[0]! : 0,
        memory: memoryOk
          ? { total: Number(v1.getBigUint64(MEMORY_V1.total, true)), used: Number(v1.getBigUint64(MEMORY_V1.used, true)), free: Number(v1.getBigUint64(MEMORY_V1.free, true)) }
          : undefined,
        activity: activity.get(gi[0]!),
      });
    }
    return migs;
  }

  /** fabric.state (NVSwitch systems) and gpu_recovery_action (a field value), as nvidia-smi prints their enums. */
  private readFabricAndRecovery(dev: Pointer, values: Partial<Record<GaugeField, number>>): void {
    const fabric = new Uint8Array(FABRIC_INFO.size);
    if (this.opt.nvmlDeviceGetGpuFabricInfo?.(dev, fabric) === NVML_SUCCESS) values["fabric.state"] = fabric[FABRIC_INFO.state]!;
    const field = new DataView(new ArrayBuffer(FIELD_VALUE.size));
    field.setUint32(FIELD_VALUE.fieldId, FI_DEV_GET_GPU_RECOVERY_ACTION, true);
    if (
      this.opt.nvmlDeviceGetFieldValues?.(dev, 1, new Uint8Array(field.buffer)) === NVML_SUCCESS &&
      field.getInt32(FIELD_VALUE.nvmlReturn, true) === NVML_SUCCESS &&
      field.getInt32(FIELD_VALUE.valueType, true) === VALUE_TYPE_UNSIGNED_INT
    ) {
      values.gpu_recovery_action = field.getUint32(FIELD_VALUE.value, true);
    }
  }

  /** Each NVLink's state and, for an active one, its error counters; undefined where the GPU has none. */
  private readNvLinks(dev: Pointer): NvLink[] | undefined {
    const { nvmlDeviceGetNvLinkState: state, nvmlDeviceGetNvLinkErrorCounter: errorCounter } = this.opt;
    if (!state) return undefined;
    const links: NvLink[] = [];
    const active = new Uint32Array(1);
    const count = new BigUint64Array(1);
    for (let link = 0; link < NVLINK_MAX_LINKS; link++) {
      // NOT_SUPPORTED or INVALID_ARGUMENT past the GPU's last link.
      if (state(dev, link, active) !== NVML_SUCCESS) break;
      const errors: NvLink["errors"] = {};
      if (active[0]) {
        NVLINK_ERRORS.forEach((type, counter) => {
          if (errorCounter?.(dev, link, counter, count) === NVML_SUCCESS) errors[type] = Number(count[0]);
        });
      }
      links.push({ link, active: active[0] === 1, errors });
    }
    return links.length > 0 ? links : undefined;
  }

  /** Compute processes with their memory, and their latest utilisation sample since the previous scrape. */
  private readProcesses(dev: Pointer, index: number): GpuProcess[] | undefined {
    const list = this.opt.nvmlDeviceGetComputeRunningProcesses_v3;
    if (!list) return undefined;
    const count = new Uint32Array(1);
    let buf = new Uint8Array(0);
    let rc = list(dev, count, null);
    // Processes may start between the two calls: room for a few more, and ask again while short.
    for (let tries = 0; rc === NVML_ERROR_INSUFFICIENT_SIZE && tries < 3; tries++) {
      count[0] = count[0]! + 8;
      buf = new Uint8Array(count[0]! * PROCESS_INFO.size);
      rc = list(dev, count, buf);
    }
    if (rc !== NVML_SUCCESS) return undefined;
    const view = new DataView(buf.buffer);
    const processes = new Map<number, GpuProcess>();
    for (let i = 0; i < count[0]!; i++) {
      const at = i * PROCESS_INFO.size;
      const pid = view.getUint32(at + PROCESS_INFO.pid, true);
      const used = view.getBigUint64(at + PROCESS_INFO.usedGpuMemory, true);
      processes.set(pid, used === NOT_AVAILABLE_U64 ? { pid } : { pid, memoryBytes: Number(used) });
    }
    if (processes.size > 0) this.readProcessUtilization(dev, index, processes);
    return [...processes.values()];
  }

  private readProcessUtilization(dev: Pointer, index: number, processes: Map<number, GpuProcess>): void {
    const sample = this.opt.nvmlDeviceGetProcessUtilization;
    if (!sample) return;
    const since = this.lastSample.get(index) ?? 0n;
    const count = new Uint32Array(1);
    if (sample(dev, null, count, since) !== NVML_ERROR_INSUFFICIENT_SIZE) return; // NOT_FOUND: no new samples
    count[0] = count[0]! + 8;
    const buf = new Uint8Array(count[0]! * PROCESS_SAMPLE.size);
    if (sample(dev, buf, count, since) !== NVML_SUCCESS) return;
    const view = new DataView(buf.buffer);
    const newest = new Map<number, bigint>();
    let last = since;
    for (let i = 0; i < count[0]!; i++) {
      const at = i * PROCESS_SAMPLE.size;
      const pid = view.getUint32(at + PROCESS_SAMPLE.pid, true);
      const time = view.getBigUint64(at + PROCESS_SAMPLE.timeStamp, true);
      if (time > last) last = time;
      const process = processes.get(pid);
      if (!process || time < (newest.get(pid) ?? 0n)) continue;
      newest.set(pid, time);
      process.smUtil = view.getUint32(at + PROCESS_SAMPLE.smUtil, true);
      process.memUtil = view.getUint32(at + PROCESS_SAMPLE.memUtil, true);
    }
    this.lastSample.set(index, last);
  }

  /** A string NVML writes into a buffer of `size`; "[N/A]" when the call fails or is absent. */
  private text(call: (buf: Uint8Array, size: number) => number | undefined, size: number): string {
    const buf = new Uint8Array(size);
    return call(buf, size) === NVML_SUCCESS ? cString(buf) : "[N/A]";
  }
}

const utf8 = new TextDecoder();

function cString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return utf8.decode(end < 0 ? buf : buf.subarray(0, end));
}

/** As nvidia-smi prints pci.sub_device_id: 0x16C110DE. */
function hex32(n: number): string {
  return "0x" + n.toString(16).toUpperCase().padStart(8, "0");
}
