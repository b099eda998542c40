import { describe, expect, test } from "bun:test";
import { ConfigError, createLogger, MetricSet, parseText } from "@agent/core";
import { defineCollector, type Collector } from "./collector.ts";
import { deriveSample, HistoryRing, MAX_SERIES, MAX_SLOTS, NodeHistory, seriesOf } from "./history.ts";
import { NodeRegistry } from "./registry.ts";
import { nodeValues } from "./testing/node-values.ts";

const quiet = createLogger({ level: "error", write: () => {} });

/** A history over a registry of `collectors`, both reading the same flag values. */
function historyOf(collectors: Collector[], interval: string): NodeHistory {
  const values = nodeValues(collectors, [`--node.history-interval=${interval}`]);
  return new NodeHistory(new NodeRegistry(collectors, values, quiet), values, quiet);
}

describe("HistoryRing", () => {
  test("returns each series oldest first, also after the ring wrapped", () => {
    const ring = new HistoryRing(3);
    for (let i = 1; i <= 5; i++) ring.push(new Map([["a", i]]));
    expect(ring.series("a")).toEqual([3, 4, 5]);
    expect(ring.series("unknown")).toEqual([]);
  });

  test("a series missing from a sample gets a gap; a new one starts with gaps before it", () => {
    const ring = new HistoryRing(4);
    ring.push(new Map([["a", 1]]));
    ring.push(new Map([["b", 2]]));
    ring.push(new Map([["a", 3], ["b", 4]]));
    expect(ring.series("a")).toEqual([1, NaN, 3]);
    expect(ring.series("b")).toEqual([NaN, 2, 4]);
  });

  test("keeps at most maxSeries series, and gives a place back once a series has no point left in the window", () => {
    const ring = new HistoryRing(2, 2);
    ring.push(new Map([["a", 1], ["b", 1], ["c", 1]]));
    expect(ring.size).toBe(2);
    expect(ring.series("c")).toEqual([]);
    ring.push(new Map([["a", 2]]));
    ring.push(new Map([["a", 3]]));
    expect(ring.series("b")).toEqual([]);
    ring.push(new Map([["a", 4], ["c", 5]]));
    expect(ring.series("c")).toEqual([NaN, 5]);
    expect(ring.size).toBe(2);
  });

  test("the bound holds for any host: at most a few hundred KiB however many devices report", () => {
    const ring = new HistoryRing(MAX_SLOTS);
    const many = new Map(Array.from({ length: 5000 }, (_, i) => [`fs:/mnt/${i}`, i] as [string, number]));
    for (let i = 0; i < MAX_SLOTS + 10; i++) ring.push(many);
    expect(ring.size).toBe(MAX_SERIES);
    expect(ring.bytes).toBe(MAX_SERIES * MAX_SLOTS * 8);
    expect(ring.bytes).toBeLessThanOrEqual(300 * 1024);
  });
});

describe("NodeHistory", () => {
  test("covers 15 minutes at the default interval and never keeps more than MAX_SLOTS samples", () => {
    expect(historyOf([], "15s").windowSeconds).toBe(15 * 60);
    const fast = historyOf([], "1s");
    expect(fast.ring.slots).toBe(MAX_SLOTS);
    expect(fast.windowSeconds).toBe(MAX_SLOTS);
  });

  test("refuses an interval that is not positive, naming the flag", () => {
    expect(() => historyOf([], "0s")).toThrow(ConfigError);
    expect(() => historyOf([], "0s")).toThrow("--node.history-interval");
  });
});

describe("NodeHistory reuses the role's scrapes", () => {
  /** A stand-in for the loadavg collector that counts how often the host is read. */
  function countingLoadavg() {
    const reads = { n: 0 };
    const collector = defineCollector({
      name: "loadavg",
      defaultEnabled: true,
      create: () => ({
        collect(out) {
          reads.n++;
          out.gauge("node_load1", "1m load average.", 1);
        },
      }),
    });
    return { collector, reads };
  }
  const scraped = (name: string, load1: number) => {
    const set = new MetricSet();
    set.gauge("node_load1", "1m load average.", load1);
    return [[set], [{ name, success: true, seconds: 0 }]] as const;
  };

  test("a scrape is sampled on the spot once an interval has passed, and the timer then leaves the host alone", async () => {
    const { collector, reads } = countingLoadavg();
    const h = historyOf([collector], "50ms");
    await h.tick();
    expect(reads.n).toBe(1);
    expect(h.latest!.load[0]).toBe(1);
    // Within the interval of the last sample: not sampled (a fast scraper must not shorten the window).
    h.offer(...scraped("loadavg", 5));
    expect(h.latest!.load[0]).toBe(1);
    await Bun.sleep(60);
    h.offer(...scraped("loadavg", 7));
    expect(h.latest!.load[0]).toBe(7);
    await h.tick();
    expect(reads.n).toBe(1);
    // No scrape for one and a half intervals: the timer reads the host again.
    await Bun.sleep(100);
    await h.tick();
    expect(reads.n).toBe(2);
    expect(h.latest!.load[0]).toBe(1);
  });

  test("only the overview collectors' families are taken from a scrape", () => {
    const { collector, reads } = countingLoadavg();
    const h = historyOf([collector], "60s");
    h.offer(...scraped("netstat", 9));
    expect(reads.n).toBe(0);
    expect(Number.isNaN(h.latest!.load[0])).toBe(true);
  });
});

/** Exposition text of the families the overview reads, with counters scaled by `k`. */
function scrapeText(k: number, opts: { rx?: number } = {}): string {
  return `
node_cpu_seconds_total{cpu="0",mode="user"} ${100 + 3 * k}
node_cpu_seconds_total{cpu="0",mode="system"} ${50 + 1 * k}
node_cpu_seconds_total{cpu="0",mode="idle"} ${1000 + 6 * k}
node_cpu_seconds_total{cpu="1",mode="user"} ${100 + 3 * k}
node_cpu_seconds_total{cpu="1",mode="system"} ${50 + 1 * k}
node_cpu_seconds_total{cpu="1",mode="idle"} ${1000 + 6 * k}
node_memory_MemTotal_bytes 1000
node_memory_MemAvailable_bytes 250
node_memory_SwapTotal_bytes 100
node_memory_SwapFree_bytes 40
node_memory_MemFree_bytes 100
node_memory_Buffers_bytes 50
node_memory_Cached_bytes 120
node_memory_SReclaimable_bytes 30
node_memory_Shmem_bytes 10
node_load1 0.5
node_load5 0.25
node_load15 0.125
node_network_receive_bytes_total{device="eth0"} ${opts.rx ?? 1000 + 2048 * k}
node_network_transmit_bytes_total{device="eth0"} ${1000 + 512 * k}
node_network_receive_bytes_total{device="lo"} ${99999 * k}
node_disk_read_bytes_total{device="sda"} ${4096 * k}
node_disk_written_bytes_total{device="sda"} ${8192 * k}
node_filesystem_size_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 400
node_filesystem_avail_bytes{device="/dev/sda1",fstype="ext4",mountpoint="/"} 100
node_filesystem_size_bytes{device="none",fstype="tmpfs",mountpoint="/empty"} 0
nvidia_smi_gpu_info{uuid="GPU-1",name="Test GPU"} 1
nvidia_smi_utilization_gpu_ratio{uuid="GPU-1"} 0.75
nvidia_smi_memory_used_bytes{uuid="GPU-1"} 256
nvidia_smi_memory_total_bytes{uuid="GPU-1"} 1024
nvidia_smi_temperature_gpu{uuid="GPU-1"} 61
nvidia_smi_power_draw_watts{uuid="GPU-1"} 250.5
node_gpu_collector_state{state="no_library"} 0
node_gpu_collector_state{state="ok"} 1
`;
}

describe("deriveSample", () => {
  test("the first sample has levels but no rates or CPU shares", () => {
    const { sample } = deriveSample(parseText(scrapeText(0)), 0, undefined);
    expect(sample.cpus).toBe(2);
    expect(sample.cpuBusy).toEqual({});
    expect(sample.cpuSeconds).toBeNaN();
    expect(sample.memory).toEqual({
      totalBytes: 1000,
      availableBytes: 250,
      swapTotalBytes: 100,
      swapFreeBytes: 40,
      freeBytes: 100,
      buffersBytes: 50,
      cacheBytes: 150,
      sharedBytes: 10,
    });
    expect(sample.load).toEqual([0.5, 0.25, 0.125]);
    expect(sample.network).toEqual([{ device: "eth0", inBytes: NaN, outBytes: NaN }]);
    // Filesystems of size 0 (pseudo file systems) are left out.
    expect(sample.filesystems).toEqual([{ mountpoint: "/", device: "/dev/sda1", fstype: "ext4", sizeBytes: 400, availBytes: 100 }]);
    expect(sample.gpus).toEqual([
      { uuid: "GPU-1", name: "Test GPU", utilization: 0.75, memoryUsedBytes: 256, memoryTotalBytes: 1024, temperatureCelsius: 61, powerWatts: 250.5 },
    ]);
    expect(sample.gpuState).toBe("ok");
    const series = seriesOf(sample);
    expect(series.get("memory")).toBe(0.75);
    expect(series.get("fs:/")).toBe(0.75);
    expect(series.get("gpu.mem:GPU-1")).toBe(0.25);
    expect(series.get("net.in")).toBeNaN();
  });

  test("the next sample has CPU shares by mode (idle left out) and per-device rates; loopback is not counted", () => {
    const first = deriveSample(parseText(scrapeText(0)), 10_000, undefined);
    const { sample } = deriveSample(parseText(scrapeText(2)), 12_000, { at: 10_000, counters: first.counters });
    expect(sample.cpuBusy.user).toBeCloseTo(0.3, 10);
    expect(sample.cpuBusy.system).toBeCloseTo(0.1, 10);
    expect(sample.cpuBusy.idle).toBeUndefined();
    expect(sample.cpuSeconds).toBe(40);
    expect(sample.network).toEqual([{ device: "eth0", inBytes: 2048, outBytes: 512 }]);
    expect(sample.disks).toEqual([{ device: "sda", inBytes: 4096, outBytes: 8192 }]);
    expect(seriesOf(sample).get("cpu")).toBeCloseTo(0.4, 10);
  });

  test("counters that did not move give no CPU shares, but say that no CPU time was counted", () => {
    const first = deriveSample(parseText(scrapeText(1)), 0, undefined);
    const { sample } = deriveSample(parseText(scrapeText(1)), 1000, { at: 0, counters: first.counters });
    expect(sample.cpuBusy).toEqual({});
    expect(sample.cpuSeconds).toBe(0);
    expect(sample.network).toEqual([{ device: "eth0", inBytes: 0, outBytes: 0 }]);
  });

  test("a counter that went backwards (device re-created) gives no rate for that interval", () => {
    const first = deriveSample(parseText(scrapeText(5)), 0, undefined);
    const { sample } = deriveSample(parseText(scrapeText(6, { rx: 10 })), 1000, { at: 0, counters: first.counters });
    expect(sample.network[0]!.inBytes).toBeNaN();
    expect(sample.network[0]!.outBytes).toBe(512);
  });
});
