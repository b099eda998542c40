/**
 * The node page's overview maths: one HostSample from the families of one scrape (values, not text) and the
 * counters of the scrape before it, and the sparkline points a sample contributes.
 */
import type { MetricFamily } from "@agent/core";

export interface Filesystem {
  mountpoint: string;
  device: string;
  fstype: string;
  sizeBytes: number;
  availBytes: number;
}

export interface DeviceRates {
  device: string;
  /** Bytes per second: received / read. */
  inBytes: number;
  /** Bytes per second: transmitted / written. */
  outBytes: number;
}

export interface Gpu {
  uuid: string;
  name: string;
  utilization: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  temperatureCelsius: number;
  powerWatts: number;
}

/** One sample of the host; rates and CPU shares are over the time since the previous sample. */
export interface HostSample {
  /** Unix ms. */
  at: number;
  cpus: number;
  /** Mode -> share of all CPU time (0..1); idle left out. Empty until two samples exist. */
  cpuBusy: Record<string, number>;
  /** CPU seconds counted, all modes and CPUs, since the previous sample; NaN for the first. */
  cpuSeconds: number;
  memory: {
    totalBytes: number;
    availableBytes: number;
    swapTotalBytes: number;
    swapFreeBytes: number;
    freeBytes: number;
    buffersBytes: number;
    /** Page cache and reclaimable slab, as `free` counts "cache". */
    cacheBytes: number;
    /** tmpfs and shared memory: part of the cache, but not freed by reclaiming it. */
    sharedBytes: number;
  };
  load: [number, number, number];
  filesystems: Filesystem[];
  network: DeviceRates[];
  disks: DeviceRates[];
  gpus: Gpu[];
  /** node_gpu_collector_state's current state ("ok", "no_library", ...); "" when the gpu collector is off. */
  gpuState: string;
}

export type Counters = Map<string, number>;

type SamplesByFamily = ReadonlyMap<string, MetricFamily["samples"]>;

function samplesOf(families: readonly MetricFamily[]): SamplesByFamily {
  return new Map(families.map((f) => [f.name, f.samples]));
}

/** Counters read from one set of families, keyed `<what>\0<device or mode>`. */
function readCounters(fam: SamplesByFamily): Counters {
  const out: Counters = new Map();
  const add = (key: string, v: number) => out.set(key, (out.get(key) ?? 0) + v);
  for (const s of fam.get("node_cpu_seconds_total") ?? []) add(`cpu\0${s.labels.mode}`, s.value);
  const pairs: [string, string][] = [
    ["node_network_receive_bytes_total", "rx"],
    ["node_network_transmit_bytes_total", "tx"],
    ["node_disk_read_bytes_total", "read"],
    ["node_disk_written_bytes_total", "write"],
  ];
  for (const [name, what] of pairs) {
    for (const s of fam.get(name) ?? []) if (s.labels.device !== "lo") add(`${what}\0${s.labels.device}`, s.value);
  }
  return out;
}

/** Filesystems with a size, by mount point. */
function filesystemsOf(fam: SamplesByFamily): Filesystem[] {
  const avail = new Map((fam.get("node_filesystem_avail_bytes") ?? []).map((s) => [s.labels.mountpoint, s.value]));
  return (fam.get("node_filesystem_size_bytes") ?? [])
    .filter((s) => s.value > 0)
    .map((s) => ({
      mountpoint: s.labels.mountpoint ?? "",
      device: s.labels.device ?? "",
      fstype: s.labels.fstype ?? "",
      sizeBytes: s.value,
      availBytes: avail.get(s.labels.mountpoint) ?? NaN,
    }))
    .sort((a, b) => (a.mountpoint < b.mountpoint ? -1 : a.mountpoint > b.mountpoint ? 1 : 0));
}

/** GPUs as nvidia_smi_gpu_info lists them, with their readings by uuid. */
function gpusOf(fam: SamplesByFamily): Gpu[] {
  const gpuValue = (name: string) => new Map((fam.get(name) ?? []).map((s) => [s.labels.uuid, s.value]));
  const util = gpuValue("nvidia_smi_utilization_gpu_ratio");
  const memUsed = gpuValue("nvidia_smi_memory_used_bytes");
  const memTotal = gpuValue("nvidia_smi_memory_total_bytes");
  const temp = gpuValue("nvidia_smi_temperature_gpu");
  const power = gpuValue("nvidia_smi_power_draw_watts");
  return (fam.get("nvidia_smi_gpu_info") ?? []).map((s) => {
    const uuid = s.labels.uuid ?? "";
    return {
      uuid,
      name: s.labels.name ?? "GPU",
      utilization: util.get(uuid) ?? NaN,
      memoryUsedBytes: memUsed.get(uuid) ?? NaN,
      memoryTotalBytes: memTotal.get(uuid) ?? NaN,
      temperatureCelsius: temp.get(uuid) ?? NaN,
      powerWatts: power.get(uuid) ?? NaN,
    };
  });
}

/** Derives a HostSample from one scrape's families and the previous scrape's counters. */
export function deriveSample(families: readonly MetricFamily[], at: number, prev: { at: number; counters: Counters } | undefined): { sample: HostSample; counters: Counters } {
  const fam = samplesOf(families);
  const one = (name: string) => fam.get(name)?.[0]?.value ?? NaN;
  const counters = readCounters(fam);
  const dt = prev ? (at - prev.at) / 1000 : 0;
  const delta = (key: string) => {
    const before = prev?.counters.get(key);
    const now = counters.get(key);
    // A counter that went backwards was reset (device re-created); that interval says nothing.
    return before === undefined || now === undefined || now < before ? NaN : now - before;
  };
  const cpuBusy: Record<string, number> = {};
  let cpuSeconds = NaN;
  if (prev && dt > 0) {
    const modes = [...counters.keys()].filter((k) => k.startsWith("cpu\0")).map((k) => k.slice(4));
    const total = (cpuSeconds = modes.reduce((sum, m) => sum + (delta(`cpu\0${m}`) || 0), 0));
    if (total > 0) for (const m of modes) if (m !== "idle") cpuBusy[m] = (delta(`cpu\0${m}`) || 0) / total;
  }
  const rates = (inKey: string, outKey: string): DeviceRates[] => {
    const devices = new Set<string>();
    for (const k of counters.keys()) if (k.startsWith(inKey + "\0") || k.startsWith(outKey + "\0")) devices.add(k.slice(k.indexOf("\0") + 1));
    return [...devices].sort().map((device) => ({
      device,
      inBytes: dt > 0 ? delta(`${inKey}\0${device}`) / dt : NaN,
      outBytes: dt > 0 ? delta(`${outKey}\0${device}`) / dt : NaN,
    }));
  };
  const gpuState = (fam.get("node_gpu_collector_state") ?? []).find((s) => s.value === 1)?.labels.state ?? "";
  const cpus = new Set((fam.get("node_cpu_seconds_total") ?? []).map((s) => s.labels.cpu)).size;
  return {
    counters,
    sample: {
      at,
      cpus,
      cpuBusy,
      cpuSeconds,
      memory: {
        totalBytes: one("node_memory_MemTotal_bytes"),
        availableBytes: one("node_memory_MemAvailable_bytes"),
        swapTotalBytes: one("node_memory_SwapTotal_bytes"),
        swapFreeBytes: one("node_memory_SwapFree_bytes"),
        freeBytes: one("node_memory_MemFree_bytes"),
        buffersBytes: one("node_memory_Buffers_bytes"),
        cacheBytes: one("node_memory_Cached_bytes") + one("node_memory_SReclaimable_bytes"),
        sharedBytes: one("node_memory_Shmem_bytes"),
      },
      load: [one("node_load1"), one("node_load5"), one("node_load15")],
      filesystems: filesystemsOf(fam),
      network: rates("rx", "tx"),
      disks: rates("read", "write"),
      gpus: gpusOf(fam),
      gpuState,
    },
  };
}

/** The sum of the finite values; NaN when there is none (no rate yet), so the sparkline shows a gap. */
function total(xs: number[]): number {
  const finite = xs.filter(Number.isFinite);
  return finite.length ? finite.reduce((a, b) => a + b, 0) : NaN;
}

/** The sparkline series one sample contributes, by key. */
export function seriesOf(s: HostSample): Map<string, number> {
  const out = new Map<string, number>();
  const busy = Object.values(s.cpuBusy);
  out.set("cpu", total(busy));
  out.set("memory", 1 - s.memory.availableBytes / s.memory.totalBytes);
  out.set("load1", s.load[0]);
  out.set("net.in", total(s.network.map((d) => d.inBytes)));
  out.set("net.out", total(s.network.map((d) => d.outBytes)));
  out.set("disk.in", total(s.disks.map((d) => d.inBytes)));
  out.set("disk.out", total(s.disks.map((d) => d.outBytes)));
  for (const f of s.filesystems) out.set(`fs:${f.mountpoint}`, 1 - f.availBytes / f.sizeBytes);
  for (const g of s.gpus) {
    out.set(`gpu.util:${g.uuid}`, g.utilization);
    out.set(`gpu.mem:${g.uuid}`, g.memoryUsedBytes / g.memoryTotalBytes);
    out.set(`gpu.temp:${g.uuid}`, g.temperatureCelsius);
    out.set(`gpu.power:${g.uuid}`, g.powerWatts);
  }
  return out;
}

