/**
 * What names a GPU and how it is wired, through NVML: the labels of nvidia_smi_gpu_info as nvidia-smi prints
 * them, its NVLinks and its MIG devices. Struct layouts and constants are those of NVIDIA's nvml.h.
 */
import type { Pointer } from "bun:ffi";
import type { GpmSampler } from "./gpm.ts";
import { NVLINK_ERRORS, type GpuReading, type MigActivity, type MigDevice, type NvLink } from "./reading.ts";
import { memoryV1 } from "./nvml-gauges.ts";
import { cString, NAME_SIZE, NVML_SUCCESS, nvmlText, SERIAL_SIZE, UUID_SIZE, VBIOS_SIZE, type NvmlLibrary } from "./nvml-library.ts";

/**
 * nvmlPciInfo_t as nvmlDeviceGetPciInfo_v3 fills it: char busIdLegacy[16]; unsigned domain, bus, device,
 * pciDeviceId, pciSubSystemId; char busId[32].
 */
const PCI_INFO = { size: 68, pciSubSystemId: 32, busId: 36, busIdSize: 32 } as const;

const NVLINK_MAX_LINKS = 18; // NVML_NVLINK_MAX_LINKS

/** The labels of nvidia_smi_gpu_info, as nvidia-smi prints them ("[N/A]" where it has none). */
export function readInfo(lib: NvmlLibrary, dev: Pointer, index: number, driverVersion: string): GpuReading["info"] {
  const { fn, opt } = lib;
  const pci = new Uint8Array(PCI_INFO.size);
  const pciOk = fn.nvmlDeviceGetPciInfo_v3(dev, pci) === NVML_SUCCESS;
  const pciView = new DataView(pci.buffer);
  const major = new Int32Array(1);
  const minor = new Int32Array(1);
  const ccOk = opt.nvmlDeviceGetCudaComputeCapability?.(dev, major, minor) === NVML_SUCCESS;
  return {
    uuid: nvmlText((b, n) => fn.nvmlDeviceGetUUID(dev, b, n), UUID_SIZE),
    name: nvmlText((b, n) => fn.nvmlDeviceGetName(dev, b, n), NAME_SIZE),
    // Windows-only (WDDM/TCC); nvidia-smi prints [N/A] on Linux.
    driver_model_current: "[N/A]",
    driver_model_pending: "[N/A]",
    vbios_version: nvmlText((b, n) => opt.nvmlDeviceGetVbiosVersion?.(dev, b, n), VBIOS_SIZE),
    driver_version: driverVersion,
    pci_bus_id: pciOk ? cString(pci.subarray(PCI_INFO.busId, PCI_INFO.busId + PCI_INFO.busIdSize)) : "[N/A]",
    serial: nvmlText((b, n) => opt.nvmlDeviceGetSerial?.(dev, b, n), SERIAL_SIZE),
    compute_cap: ccOk ? `${major[0]}.${minor[0]}` : "[N/A]",
    pci_sub_device_id: pciOk ? hex32(pciView.getUint32(PCI_INFO.pciSubSystemId, true)) : "[N/A]",
    index: String(index),
  };
}

/** Each NVLink's state and, for an active one, its error counters; undefined where the GPU has none. */
export function readNvLinks(lib: NvmlLibrary, dev: Pointer): NvLink[] | undefined {
  const { nvmlDeviceGetNvLinkState: state, nvmlDeviceGetNvLinkErrorCounter: errorCounter } = lib.opt;
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

/**
 * The MIG devices of a GPU in MIG mode: slots are sparse (profiles take several), so every one is tried.
 * Activity is sampled once per GPU instance and shared by its compute instances.
 */
export function readMigDevices(lib: NvmlLibrary, gpm: GpmSampler, dev: Pointer): MigDevice[] | undefined {
  const { nvmlDeviceGetMaxMigDeviceCount: maxCount, nvmlDeviceGetMigDeviceHandleByIndex: byIndex } = lib.opt;
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
    if (lib.opt.nvmlDeviceGetGpuInstanceId?.(mig, gi) !== NVML_SUCCESS) continue;
    const computeOk = lib.opt.nvmlDeviceGetComputeInstanceId?.(mig, ci) === NVML_SUCCESS;
    const name = nvmlText((b, n) => lib.fn.nvmlDeviceGetName(mig, b, n), NAME_SIZE);
    if (!activity.has(gi[0]!)) activity.set(gi[0]!, gpm.activity(dev, gi[0]!));
    migs.push({
      uuid: nvmlText((b, n) => lib.fn.nvmlDeviceGetUUID(mig, b, n), UUID_SIZE),
      profile: name.includes(" MIG ") ? name.slice(name.indexOf(" MIG ") + 5) : "",
      gpuInstanceId: gi[0]!,
      computeInstanceId: computeOk ? ci[0]! : 0,
      memory: memoryV1(lib, mig),
      activity: activity.get(gi[0]!),
    });
  }
  return migs;
}

/** As nvidia-smi prints pci.sub_device_id: 0x16C110DE. */
function hex32(n: number): string {
  return "0x" + n.toString(16).toUpperCase().padStart(8, "0");
}
