/**
 * The preferred path: NVML (libnvidia-ml.so.1, shipped with the driver) through bun:ffi, initialised once
 * and kept open, so a scrape costs a few dozen library calls instead of starting nvidia-smi. Each reading
 * is turned into the text and units nvidia-smi would print, so both paths emit the same series. Its calls
 * block, so it runs on nvml-worker.ts's thread, never on the main one.
 * The binding is nvml-library.ts; what is read of a device, nvml-gauges.ts, nvml-device.ts and
 * nvml-processes.ts.
 */
import type { Pointer } from "bun:ffi";
import { GpmSampler } from "./gpm.ts";
import type { GpuReading, NvmlCounters } from "./reading.ts";
import { readInfo, readMigDevices, readNvLinks } from "./nvml-device.ts";
import { readGauges } from "./nvml-gauges.ts";
import { DRIVER_VERSION_SIZE, loadNvml, NVML_SUCCESS, nvmlText, type NvmlLibrary } from "./nvml-library.ts";
import { ProcessReader } from "./nvml-processes.ts";
import { XidWatcher } from "./xid.ts";

export { NvmlError } from "./nvml-library.ts";

const PCIE_TX = 0; // nvmlPcieUtilCounter_t
const PCIE_RX = 1;

/** An initialised NVML. Never shut down: NVML is meant to stay initialised for the life of the process. */
export class Nvml {
  /** CUDA version the driver supports, as nvidia-smi prints it ("12.4"), or "". */
  readonly cudaVersion: string;
  private readonly processes: ProcessReader;
  private readonly xids: XidWatcher | undefined;
  private readonly gpm: GpmSampler;

  private constructor(private readonly lib: NvmlLibrary) {
    this.processes = new ProcessReader(lib);
    this.xids = XidWatcher.create(lib.opt);
    this.gpm = new GpmSampler(lib.opt);
    const v = new Int32Array(1);
    this.cudaVersion =
      lib.opt.nvmlSystemGetCudaDriverVersion_v2?.(v) === NVML_SUCCESS ? `${Math.floor(v[0]! / 1000)}.${Math.floor((v[0]! % 1000) / 10)}` : "";
  }

  /** Opens and initialises the library; throws NvmlError when it is missing or nvmlInit fails. */
  static open(library: string): Nvml {
    return new Nvml(loadNvml(library));
  }

  /** Takes the XID events queued since the last call; the worker calls it between scrapes too. */
  drainEvents(): void {
    this.xids?.drain();
  }

  read(): GpuReading[] {
    const count = new Uint32Array(1);
    const rc = this.lib.fn.nvmlDeviceGetCount_v2(count);
    if (rc !== NVML_SUCCESS) throw new Error(`nvmlDeviceGetCount_v2 returned NVML error ${rc}`);
    const driverVersion = nvmlText((buf, n) => this.lib.fn.nvmlSystemGetDriverVersion(buf, n), DRIVER_VERSION_SIZE);
    const devices: [Pointer, number][] = [];
    for (let i = 0; i < count[0]!; i++) {
      const handle = new BigUint64Array(1);
      // A GPU NVML cannot open (lost, or no permission) is left out; the others are still read.
      if (this.lib.fn.nvmlDeviceGetHandleByIndex_v2(i, handle) !== NVML_SUCCESS) continue;
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
    const values = readGauges(this.lib, dev);
    return {
      counters: this.readCounters(dev),
      processes: this.processes.read(dev, index),
      nvlinks: readNvLinks(this.lib, dev),
      migDevices: values["mig.mode.current"] === 1 ? readMigDevices(this.lib, this.gpm, dev) : undefined,
      info: readInfo(this.lib, dev, index, driverVersion),
      values,
    };
  }

  private readCounters(dev: Pointer): NvmlCounters {
    const { opt } = this.lib;
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
}
