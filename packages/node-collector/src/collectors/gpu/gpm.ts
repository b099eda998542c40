/**
 * The activity of each MIG GPU instance, through NVML's GPM (GPU performance monitoring, Hopper and later):
 * a GPM sample is a snapshot of the instance's counters and nvmlGpmMetricsGet turns two samples into rates
 * over the time between them. Rather than sampling twice with a sleep in between, one sample per GPU
 * instance is taken each reading (a scrape, or the node page's sampling tick when nobody scrapes) and
 * compared with the previous reading's, so the rates cover the time since then and the first reading that
 * sees an instance has none (as nvidia_gpu_exporter does).
 * A GPU without GPM (pre-Hopper: an A100 in MIG mode) or a driver without the calls gives no activity.
 *
 * Struct layouts and constants are those of NVIDIA's nvml.h (x86-64 / aarch64 Linux, LP64).
 */
import type { Pointer } from "bun:ffi";
import { NVML_ERROR_NOT_SUPPORTED, NVML_SUCCESS, type Call } from "./nvml-library.ts";
import type { MigActivity } from "./reading.ts";

/** nvmlGpmSupport_t: unsigned version (NVML_GPM_SUPPORT_VERSION 1), isSupportedDevice. */
const GPM_SUPPORT_VERSION = 1;
/**
 * nvmlGpmMetricsGet_t: unsigned version (NVML_GPM_METRICS_GET_VERSION 1), numMetrics; nvmlGpmSample_t
 * sample1, sample2; nvmlGpmMetric_t metrics[NVML_GPM_METRIC_MAX]. Each nvmlGpmMetric_t: unsigned metricId;
 * nvmlReturn_t nvmlReturn; double value; three char pointers (metricInfo). NVML_GPM_METRIC_MAX has grown
 * with drivers (98, 210, 333): the buffer has room for the largest, NVML reads numMetrics of them.
 */
const METRICS_GET = { version: 1, numMetrics: 4, sample1: 8, sample2: 16, metrics: 24, metricSize: 40, maxMetrics: 333 } as const;
const METRIC = { metricId: 0, nvmlReturn: 4, value: 8 } as const;

/** What each nvmlGpmMetricId_t read becomes: percentages as ratios, PCIe MiB/s as bytes per second. */
const METRICS: readonly [key: keyof MigActivity, id: number, multiply: number, divide: number][] = [
  ["graphics", 1, 1, 100], // NVML_GPM_METRIC_GRAPHICS_UTIL
  ["sm", 2, 1, 100], // SM_UTIL
  ["smOccupancy", 3, 1, 100], // SM_OCCUPANCY
  ["tensor", 5, 1, 100], // ANY_TENSOR_UTIL
  ["dram", 10, 1, 100], // DRAM_BW_UTIL
  ["fp64", 11, 1, 100], // FP64_UTIL
  ["fp32", 12, 1, 100], // FP32_UTIL
  ["fp16", 13, 1, 100], // FP16_UTIL
  ["pcieTxBytes", 20, 1048576, 1], // PCIE_TX_PER_SEC
  ["pcieRxBytes", 21, 1048576, 1], // PCIE_RX_PER_SEC
];

/** The GPM entry points (drivers from 520 on); any of them absent, no activity is read. */
export interface GpmCalls {
  nvmlGpmQueryDeviceSupport?: Call;
  nvmlGpmSampleAlloc?: Call;
  nvmlGpmSampleFree?: Call;
  nvmlGpmMigSampleGet?: Call;
  nvmlGpmMetricsGet?: Call;
}

/** A GPU instance's previous sample, and a spare buffer for the next one. */
interface Samples {
  previous: bigint | undefined;
  spare: bigint;
}

export class GpmSampler {
  /** Per GPU handle, whether it supports GPM: asked once, the answer does not change. */
  private readonly supported = new Map<number, boolean>();
  /** Per GPU handle and GPU instance id. */
  private readonly samples = new Map<string, Samples>();
  private readonly seen = new Set<string>();
  private readonly get = new DataView(new ArrayBuffer(METRICS_GET.metrics + METRICS_GET.maxMetrics * METRICS_GET.metricSize));

  constructor(private readonly fn: GpmCalls) {}

  /** The GPU instance's activity since the previous call for it; undefined on the first, or without GPM. */
  activity(dev: Pointer, gpuInstanceId: number): MigActivity | undefined {
    const { nvmlGpmSampleAlloc: alloc, nvmlGpmMigSampleGet: sampleGet, nvmlGpmMetricsGet: metricsGet } = this.fn;
    if (!alloc || !sampleGet || !metricsGet || !this.supports(dev)) return undefined;
    const key = `${dev}/${gpuInstanceId}`;
    let samples = this.samples.get(key);
    if (!samples) {
      const handle = new BigUint64Array(1);
      if (alloc(handle) !== NVML_SUCCESS) return undefined;
      samples = { previous: undefined, spare: handle[0]! };
      this.samples.set(key, samples);
    }
    this.seen.add(key);
    const current = samples.spare;
    const rc = sampleGet(dev, gpuInstanceId, Number(current) as Pointer);
    if (rc !== NVML_SUCCESS) {
      if (rc === NVML_ERROR_NOT_SUPPORTED) this.supported.set(dev, false);
      return undefined;
    }
    const previous = samples.previous;
    samples.previous = current;
    if (previous === undefined) {
      const handle = new BigUint64Array(1);
      if (alloc(handle) !== NVML_SUCCESS) return undefined;
      samples.spare = handle[0]!;
      return undefined;
    }
    samples.spare = previous;
    return this.metrics(previous, current);
  }

  /** Frees the samples of GPU instances not asked for since the last call (destroyed, or MIG turned off). */
  sweep(): void {
    for (const [key, { previous, spare }] of this.samples) {
      if (this.seen.has(key)) continue;
      for (const sample of [previous, spare]) if (sample !== undefined) this.fn.nvmlGpmSampleFree?.(Number(sample) as Pointer);
      this.samples.delete(key);
    }
    this.seen.clear();
  }

  private supports(dev: Pointer): boolean {
    let supported = this.supported.get(dev);
    if (supported === undefined) {
      const support = new Uint32Array([GPM_SUPPORT_VERSION, 0]);
      supported = this.fn.nvmlGpmQueryDeviceSupport?.(dev, support) === NVML_SUCCESS && support[1] === 1;
      this.supported.set(dev, supported);
    }
    return supported;
  }

  private metrics(sample1: bigint, sample2: bigint): MigActivity | undefined {
    const get = this.get;
    get.setUint32(0, METRICS_GET.version, true);
    get.setUint32(METRICS_GET.numMetrics, METRICS.length, true);
    get.setBigUint64(METRICS_GET.sample1, sample1, true);
    get.setBigUint64(METRICS_GET.sample2, sample2, true);
    METRICS.forEach(([, id], i) => get.setUint32(METRICS_GET.metrics + i * METRICS_GET.metricSize + METRIC.metricId, id, true));
    if (this.fn.nvmlGpmMetricsGet!(new Uint8Array(get.buffer)) !== NVML_SUCCESS) return undefined;
    const activity: MigActivity = {};
    METRICS.forEach(([key, , multiply, divide], i) => {
      const at = METRICS_GET.metrics + i * METRICS_GET.metricSize;
      if (get.getInt32(at + METRIC.nvmlReturn, true) !== NVML_SUCCESS) return;
      const value = get.getFloat64(at + METRIC.value, true);
      if (Number.isFinite(value)) activity[key] = (value * multiply) / divide;
    });
    return activity;
  }
}
