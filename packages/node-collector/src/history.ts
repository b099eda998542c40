/**
 * What the node page draws: the host overview derived from the cpu, meminfo, loadavg, filesystem, netdev,
 * diskstats and gpu collectors, sampled once per interval from the role's scrapes, or on the role's own tick
 * when nobody scrapes (so the page has 15 minutes of history either way), and a bounded ring of the last
 * samples for the sparklines.
 *
 * Bounds: at most MAX_SERIES series of at most MAX_SLOTS float64 points (300 KiB), whatever the host has;
 * per-device network and disk rows are kept for the latest sample only.
 */
import { ConfigError, flag, parseText, type Logger, type MetricFamily, type MetricSet } from "@agent/core";
import type { Enabled, NodeRegistry, ScrapeResult } from "./registry.ts";

export const MAX_SERIES = 128;
export const MAX_SLOTS = 300;
const WINDOW_SECONDS = 15 * 60;
/** Collectors whose output the overview reads; those switched off stay off here too. */
const OVERVIEW_COLLECTORS = ["cpu", "meminfo", "loadavg", "filesystem", "netdev", "diskstats", "gpu"];

/** The families deriveSample reads; only these are rendered and parsed for a sample. */
const SAMPLED_FAMILIES = [
  "node_cpu_seconds_total",
  "node_memory_MemTotal_bytes",
  "node_memory_MemAvailable_bytes",
  "node_memory_SwapTotal_bytes",
  "node_memory_SwapFree_bytes",
  "node_memory_MemFree_bytes",
  "node_memory_Buffers_bytes",
  "node_memory_Cached_bytes",
  "node_memory_SReclaimable_bytes",
  "node_memory_Shmem_bytes",
  "node_load1",
  "node_load5",
  "node_load15",
  "node_filesystem_size_bytes",
  "node_filesystem_avail_bytes",
  "node_network_receive_bytes_total",
  "node_network_transmit_bytes_total",
  "node_disk_read_bytes_total",
  "node_disk_written_bytes_total",
  "nvidia_smi_gpu_info",
  "nvidia_smi_utilization_gpu_ratio",
  "nvidia_smi_memory_used_bytes",
  "nvidia_smi_memory_total_bytes",
  "nvidia_smi_temperature_gpu",
  "nvidia_smi_power_draw_watts",
  "node_gpu_collector_state",
];

/** The sampled families of one collector's output as exposition text. */
function sampledText(set: MetricSet): string {
  let text = "";
  for (const name of SAMPLED_FAMILIES) text += set.get(name)?.render() ?? "";
  return text;
}

export const historyFlags = {
  "node.history-interval": flag.duration(
    "node.history-interval",
    15,
    "How often the node page's overview samples the host; the page keeps 15 minutes (at most 300 samples).",
  ),
};

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

type Counters = Map<string, number>;

function samplesOf(families: MetricFamily[]): Map<string, MetricFamily["samples"]> {
  return new Map(families.map((f) => [f.name, f.samples]));
}

/** Counters read from one set of families, keyed `<what>\0<device or mode>`. */
function readCounters(fam: Map<string, MetricFamily["samples"]>): Counters {
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

/** Derives a HostSample from one scrape's families and the previous scrape's counters. */
export function deriveSample(families: MetricFamily[], at: number, prev: { at: number; counters: Counters } | undefined): { sample: HostSample; counters: Counters } {
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
  const avail = new Map((fam.get("node_filesystem_avail_bytes") ?? []).map((s) => [s.labels.mountpoint, s.value]));
  const filesystems = (fam.get("node_filesystem_size_bytes") ?? [])
    .filter((s) => s.value > 0)
    .map((s) => ({
      mountpoint: s.labels.mountpoint ?? "",
      device: s.labels.device ?? "",
      fstype: s.labels.fstype ?? "",
      sizeBytes: s.value,
      availBytes: avail.get(s.labels.mountpoint) ?? NaN,
    }))
    .sort((a, b) => (a.mountpoint < b.mountpoint ? -1 : a.mountpoint > b.mountpoint ? 1 : 0));
  const gpuValue = (name: string) => new Map((fam.get(name) ?? []).map((s) => [s.labels.uuid, s.value]));
  const util = gpuValue("nvidia_smi_utilization_gpu_ratio");
  const memUsed = gpuValue("nvidia_smi_memory_used_bytes");
  const memTotal = gpuValue("nvidia_smi_memory_total_bytes");
  const temp = gpuValue("nvidia_smi_temperature_gpu");
  const power = gpuValue("nvidia_smi_power_draw_watts");
  const gpus = (fam.get("nvidia_smi_gpu_info") ?? []).map((s) => {
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
      filesystems,
      network: rates("rx", "tx"),
      disks: rates("read", "write"),
      gpus,
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

/** Fixed-size rings of float64 points, one per series key, all sharing one clock. */
export class HistoryRing {
  private readonly rings = new Map<string, Float64Array>();
  /** Index of the next slot to write. */
  private head = 0;
  private filled = 0;

  constructor(
    readonly slots: number,
    readonly maxSeries = MAX_SERIES,
  ) {}

  /** Appends one point per series; a known series missing here gets a gap, new ones beyond the cap are not kept. */
  push(values: ReadonlyMap<string, number>): void {
    for (const [key, ring] of this.rings) ring[this.head] = values.get(key) ?? NaN;
    for (const [key, v] of values) {
      if (this.rings.has(key) || this.rings.size >= this.maxSeries) continue;
      const ring = new Float64Array(this.slots).fill(NaN);
      ring[this.head] = v;
      this.rings.set(key, ring);
    }
    this.head = (this.head + 1) % this.slots;
    this.filled = Math.min(this.filled + 1, this.slots);
    // A series with no point left in the window (an unmounted filesystem) gives its place back.
    for (const [key, ring] of this.rings) if (ring.every((v) => Number.isNaN(v))) this.rings.delete(key);
  }

  /** The points of `key`, oldest first (as many as samples so far); empty if unknown. */
  series(key: string): number[] {
    const ring = this.rings.get(key);
    if (!ring) return [];
    const out: number[] = [];
    for (let i = this.filled; i > 0; i--) out.push(ring[(this.head - i + this.slots) % this.slots]!);
    return out;
  }

  get size(): number {
    return this.rings.size;
  }

  get bytes(): number {
    return this.rings.size * this.slots * 8;
  }
}

/** Samples the overview collectors every `intervalSeconds` and keeps the window's history. */
export class NodeHistory {
  readonly ring: HistoryRing;
  readonly intervalSeconds: number;
  /** The role's own instances of the overview collectors: a second instance would keep their state twice. */
  private readonly overview: readonly Enabled[];
  private readonly quiet: Logger;
  private prev: { at: number; counters: Counters } | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<void> | undefined;
  private sampledAt = -Infinity;
  latest: HostSample | undefined;

  constructor(
    private readonly registry: NodeRegistry,
    values: Record<string, unknown>,
    log: Logger,
  ) {
    this.intervalSeconds = Number(values["node.history-interval"] ?? 15);
    if (!(this.intervalSeconds > 0)) throw new ConfigError("--node.history-interval: must be greater than 0");
    this.ring = new HistoryRing(Math.min(MAX_SLOTS, Math.ceil(WINDOW_SECONDS / this.intervalSeconds)));
    // Failures are the scrape's to report; the tick would repeat each one every interval.
    this.quiet = { ...log, error: log.debug, warn: log.debug, child: log.child };
    this.overview = registry.enabled.filter((e) => OVERVIEW_COLLECTORS.includes(e.collector.name));
  }

  /** Seconds the ring covers. */
  get windowSeconds(): number {
    return this.ring.slots * this.intervalSeconds;
  }

  start(): void {
    this.tick();
    this.timer = setInterval(() => this.tick(), this.intervalSeconds * 1000);
    this.timer.unref();
  }

  /**
   * Samples the host itself, unless the role's scrapes have been sampled lately (see offer) or the previous
   * sample is still running (a hung mount).
   */
  tick(): Promise<void> {
    if (Date.now() - this.sampledAt < this.intervalSeconds * 1500) return this.running ?? Promise.resolve();
    this.running ??= this.sampleHost().finally(() => (this.running = undefined));
    return this.running;
  }

  /**
   * A scrape the role serves anyway, sampled on the spot once an interval has passed since the last sample;
   * the timer then finds nothing to do. Reading the host again on a timer of its own cost a third of the
   * role's CPU on a host scraped every 15 s (a second wake-up into cold code).
   */
  offer(sets: readonly MetricSet[], results: readonly ScrapeResult[]): void {
    const at = Date.now();
    if (at - this.sampledAt < this.intervalSeconds * 900) return;
    let text = "";
    results.forEach((r, i) => {
      if (OVERVIEW_COLLECTORS.includes(r.name)) text += sampledText(sets[i]!);
    });
    this.record(at, text);
  }

  private async sampleHost(): Promise<void> {
    const { sets } = await this.registry.scrape(this.overview, this.quiet);
    this.record(Date.now(), sets.map(sampledText).join(""));
  }

  private record(at: number, text: string): void {
    const { sample, counters } = deriveSample(parseText(text), at, this.prev);
    this.prev = { at, counters };
    this.sampledAt = at;
    this.latest = sample;
    this.ring.push(seriesOf(sample));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
