/**
 * The sampler behind the node page's overview: the cpu, meminfo, loadavg, filesystem, netdev, diskstats and
 * gpu collectors' families, taken once per interval from the role's scrapes, or on the role's own tick when
 * nobody scrapes (so the page has 15 minutes of history either way). Per-device network and disk rows are
 * kept for the latest sample only; the ring (history/ring.ts) keeps the sparkline points.
 */
import { ConfigError, flag, type FlagValues, type Logger, type MetricFamily, type MetricSet } from "@agent/core";
import { deriveSample, seriesOf, type Counters, type HostSample } from "./history/host-sample.ts";
import { HistoryRing, MAX_SLOTS } from "./history/ring.ts";
import type { Enabled, NodeRegistry, ScrapeResult } from "./registry.ts";

export type { DeviceRates, Filesystem, Gpu, HostSample } from "./history/host-sample.ts";
export { deriveSample, seriesOf } from "./history/host-sample.ts";
export { HistoryRing, MAX_SERIES, MAX_SLOTS } from "./history/ring.ts";

const WINDOW_SECONDS = 15 * 60;
/** Collectors whose output the overview reads; those switched off stay off here too. */
const OVERVIEW_COLLECTORS = ["cpu", "meminfo", "loadavg", "filesystem", "netdev", "diskstats", "gpu"];

/** The families deriveSample reads. */
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

/** The sampled families of one collector's output, as values. */
function sampledFamilies(set: MetricSet): MetricFamily[] {
  const out: MetricFamily[] = [];
  for (const name of SAMPLED_FAMILIES) {
    const f = set.get(name);
    if (f) out.push(f.toFamily());
  }
  return out;
}

export const historyFlags = {
  historyInterval: flag.duration(
    "node.history-interval",
    15,
    "How often the node page's overview samples the host; the page keeps 15 minutes (at most 300 samples).",
  ),
};

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
    values: FlagValues<typeof historyFlags>,
    log: Logger,
  ) {
    this.intervalSeconds = values.historyInterval;
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
    const families: MetricFamily[] = [];
    results.forEach((r, i) => {
      if (OVERVIEW_COLLECTORS.includes(r.name)) families.push(...sampledFamilies(sets[i]!));
    });
    this.record(at, families);
  }

  private async sampleHost(): Promise<void> {
    const { sets } = await this.registry.scrape(this.overview, this.quiet);
    this.record(Date.now(), sets.flatMap(sampledFamilies));
  }

  private record(at: number, families: readonly MetricFamily[]): void {
    const { sample, counters } = deriveSample(families, at, this.prev);
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
