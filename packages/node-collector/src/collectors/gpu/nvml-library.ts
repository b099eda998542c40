/**
 * NVML (libnvidia-ml.so.1, shipped with the driver) through bun:ffi: the entry points this collector calls,
 * bound once, the return codes it tells apart, and the C strings NVML writes. Constants are those of NVIDIA's
 * nvml.h (x86-64 / aarch64 Linux, LP64).
 */
import { dlopen, FFIType, type Pointer } from "bun:ffi";
import { stateOfInitError, type GpuState } from "./state.ts";

export const NVML_SUCCESS = 0;
export const NVML_ERROR_NOT_SUPPORTED = 3;
export const NVML_ERROR_INSUFFICIENT_SIZE = 7;

// Buffer sizes from nvml.h (the *_V2_* ones where NVML has grown them).
export const NAME_SIZE = 96; // NVML_DEVICE_NAME_V2_BUFFER_SIZE
export const UUID_SIZE = 96; // NVML_DEVICE_UUID_V2_BUFFER_SIZE
export const SERIAL_SIZE = 30; // NVML_DEVICE_SERIAL_BUFFER_SIZE
export const VBIOS_SIZE = 32; // NVML_DEVICE_VBIOS_VERSION_BUFFER_SIZE
export const DRIVER_VERSION_SIZE = 80; // NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE

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
export type Required = Record<keyof typeof REQUIRED, Call>;
export type Optional = Partial<Record<keyof typeof OPTIONAL, Call>>;

/** NVML cannot be used here; `state` says why. */
export class NvmlError extends Error {
  constructor(
    message: string,
    readonly state: GpuState,
  ) {
    super(message);
  }
}

/** The bound entry points: those every supported NVML has, and those looked up one by one. */
export interface NvmlLibrary {
  fn: Required;
  opt: Optional;
}

/** Opens and initialises the library; throws NvmlError when it is missing or nvmlInit fails. */
export function loadNvml(library: string): NvmlLibrary {
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
  return { fn, opt };
}

/** A string NVML writes into a buffer of `size`; "[N/A]" when the call fails or is absent. */
export function nvmlText(call: (buf: Uint8Array, size: number) => number | undefined, size: number): string {
  const buf = new Uint8Array(size);
  return call(buf, size) === NVML_SUCCESS ? cString(buf) : "[N/A]";
}

const utf8 = new TextDecoder();

export function cString(buf: Uint8Array): string {
  const end = buf.indexOf(0);
  return utf8.decode(end < 0 ? buf : buf.subarray(0, end));
}
