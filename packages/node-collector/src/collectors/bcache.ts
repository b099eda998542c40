/** Linux bcache statistics from /sys/fs/bcache (node_exporter's bcache collector, procfs/bcache formats). */
import { join } from "node:path";
import { flag, type Labels, type MetricType } from "@agent/core";
import { defineCollector } from "../collector.ts";
import { listDir, readText } from "../read.ts";

const UNITS: Record<string, number> = { k: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40, P: 2 ** 50, E: 2 ** 60, Z: 2 ** 70, Y: 2 ** 80 };

/**
 * Undoes the kernel's bch_hprint: `1.3k`, `96.2M`, or a plain number. The digit after the point is tenths of
 * 1024ths (bch_hprint writes the remainder * 10 / 1024), so it is divided by 10.24 to restore the fraction.
 */
export function dehumanize(text: string): number {
  const neg = text.startsWith("-");
  const s = neg ? text.slice(1) : text;
  const unit = UNITS[s[s.length - 1]!];
  let value: number;
  if (unit === undefined) {
    value = Number(s);
  } else {
    const [int, frac] = s.slice(0, -1).split(".");
    value = Math.trunc((Number(int) + (frac === undefined ? 0 : Number(frac) / 10.24)) * unit);
  }
  if (Number.isNaN(value)) throw new Error(`bcache: "${text}" is not a bch_hprint value`);
  return neg ? -value : value;
}

/** A bch_hprint file; a missing one reads 0 as in node_exporter's procfs (kernels add and drop stats). */
function value(dir: string, file: string): number {
  const t = readText(join(dir, file));
  return t === null ? 0 : dehumanize(t.trim());
}

/** `key:   value[/sec|ms]` lines of writeback_rate_debug and priority_stats, suffixes stripped. */
function keyedValues(path: string): Map<string, string> {
  const out = new Map<string, string>();
  const text = readText(path);
  if (text === null) throw new Error(`bcache: cannot read ${path}`);
  for (const line of text.split("\n")) {
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    let v = line.slice(colon + 1).trim();
    for (const suffix of ["/sec", "%", "ms"]) if (v.endsWith(suffix)) v = v.slice(0, -suffix.length);
    out.set(line.slice(0, colon), v);
  }
  return out;
}

const PERIOD_STATS: [file: string, metric: string, help: string][] = [
  ["bypassed", "bypassed_bytes_total", "Amount of IO (both reads and writes) that has bypassed the cache."],
  ["cache_hits", "cache_hits_total", "Hits counted per individual IO as bcache sees them."],
  ["cache_misses", "cache_misses_total", "Misses counted per individual IO as bcache sees them."],
  ["cache_bypass_hits", "cache_bypass_hits_total", "Hits for IO intended to skip the cache."],
  ["cache_bypass_misses", "cache_bypass_misses_total", "Misses for IO intended to skip the cache."],
  ["cache_miss_collisions", "cache_miss_collisions_total", "Instances where data insertion from cache miss raced with write (data already present)."],
];

export const bcache = defineCollector({
  name: "bcache",
  defaultEnabled: true,
  flags: {
    priorityStats: flag.bool("collector.bcache.priorityStats", false, "Expose expensive priority stats."),
  },
  create: ({ paths, config }) => ({
    collect(out) {
      const root = join(paths.sysfs, "fs", "bcache");
      for (const uuid of listDir(root).sort()) {
        if (!uuid.includes("-")) continue;
        const dir = join(root, uuid);
        const emit = (name: string, type: MetricType, help: string, v: number, extra?: Labels) =>
          out.family(`node_bcache_${name}`, type, help).add(v, extra ? { uuid, ...extra } : { uuid });

        emit("average_key_size_sectors", "gauge", "Average data per key in the btree (sectors).", value(dir, "average_key_size"));
        emit("btree_cache_size_bytes", "gauge", "Amount of memory currently used by the btree cache.", value(dir, "btree_cache_size"));
        emit("cache_available_percent", "gauge", "Percentage of cache device without dirty data, usable for writeback (may contain clean cached data).", value(dir, "cache_available_percent"));
        emit("congested", "gauge", "Congestion.", value(dir, "congested"));
        emit("root_usage_percent", "gauge", "Percentage of the root btree node in use (tree depth increases if too high).", value(dir, "root_usage_percent"));
        emit("tree_depth", "gauge", "Depth of the btree.", value(dir, "tree_depth"));
        const internal = join(dir, "internal");
        emit("active_journal_entries", "gauge", "Number of journal entries that are newer than the index.", value(internal, "active_journal_entries"));
        emit("btree_nodes", "gauge", "Total nodes in the btree.", value(internal, "btree_nodes"));
        // node_exporter scales this microsecond file by 1e-9; kept so values match it exactly.
        emit("btree_read_average_duration_seconds", "gauge", "Average btree read duration.", value(internal, "btree_read_average_duration_us") * 1e-9);
        emit("cache_read_races_total", "counter", "Counts instances where while data was being read from the cache, the bucket was reused and invalidated - i.e. where the pointer was stale after the read completed.", value(internal, "cache_read_races"));

        const entries = listDir(dir).sort();
        for (const bdev of entries.filter((e) => /^bdev\d/.test(e))) {
          const bdir = join(dir, bdev);
          const labels = { backing_device: bdev };
          const wrd = keyedValues(join(bdir, "writeback_rate_debug"));
          const wr = (key: string) => dehumanize(wrd.get(key) ?? "0");
          emit("dirty_data_bytes", "gauge", "Amount of dirty data for this backing device in the cache.", value(bdir, "dirty_data"), labels);
          emit("dirty_target_bytes", "gauge", "Current dirty data target threshold for this backing device in bytes.", wr("target"), labels);
          emit("writeback_rate", "gauge", "Current writeback rate for this backing device in bytes.", wr("rate"), labels);
          emit("writeback_rate_proportional_term", "gauge", "Current result of proportional controller, part of writeback rate", wr("proportional"), labels);
          emit("writeback_rate_integral_term", "gauge", "Current result of integral controller, part of writeback rate", wr("integral"), labels);
          emit("writeback_change", "gauge", "Last writeback rate change step for this backing device.", wr("change"), labels);
          const total = join(bdir, "stats_total");
          for (const [file, metric, help] of PERIOD_STATS) emit(metric, "counter", help, value(total, file), labels);
          // Newer kernels removed bcache's own readahead and this file with it; node_exporter shows the family only
          // where it counted something, so a 0 (or no file) leaves it out.
          const readaheads = value(total, "cache_readaheads");
          if (readaheads !== 0) emit("cache_readaheads_total", "counter", "Count of times readahead occurred.", readaheads, labels);
        }
        for (const cache of entries.filter((e) => /^cache\d/.test(e))) {
          const cdir = join(dir, cache);
          const labels = { cache_device: cache };
          emit("io_errors", "gauge", "Number of errors that have occurred, decayed by io_error_halflife.", value(cdir, "io_errors"), labels);
          emit("metadata_written_bytes_total", "counter", "Sum of all non data writes (btree writes and all other metadata).", value(cdir, "metadata_written"), labels);
          emit("written_bytes_total", "counter", "Sum of all data that has been written to the cache.", value(cdir, "written"), labels);
          if (config.priorityStats) {
            // priority_stats walks every bucket in the kernel, hence opt-in.
            const ps = keyedValues(join(cdir, "priority_stats"));
            emit("priority_stats_unused_percent", "gauge", "The percentage of the cache that doesn't contain any data.", Number(ps.get("Unused") ?? 0), labels);
            emit("priority_stats_metadata_percent", "gauge", "Bcache's metadata overhead.", Number(ps.get("Metadata") ?? 0), labels);
          }
        }
      }
    },
  }),
});
