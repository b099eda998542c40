/** ZFS kstats from /proc/spl/kstat/zfs (node_exporter's zfs collector, Linux). */
import { join } from "node:path";
import type { MetricSet } from "@agent/core";
import { defineCollector, NoDataError } from "../collector.ts";
import { fields, listDir, readText } from "../read.ts";

/** Metric subsystem -> kstat file directly under /proc/spl/kstat/zfs. */
const KSTAT_FILES: [subsystem: string, file: string][] = [
  ["zfs_abd", "abdstats"],
  ["zfs_arc", "arcstats"],
  ["zfs_dbuf", "dbufstats"],
  ["zfs_dmu_tx", "dmu_tx"],
  ["zfs_dnode", "dnodestats"],
  ["zfs_fm", "fm"],
  ["zfs_vdev_cache", "vdev_cache_stats"],
  ["zfs_vdev_mirror", "vdev_mirror_stats"],
  ["zfs_xuio", "xuio_stats"],
  ["zfs_zfetch", "zfetchstats"],
  ["zfs_zil", "zil"],
];

const POOL_STATES = ["online", "degraded", "faulted", "offline", "removed", "unavail", "suspended"];

/** kstat data types (lib/libspl/include/sys/kstat.h) node_exporter reads: KSTAT_DATA_INT64 and KSTAT_DATA_UINT64. */
const INT64 = "3";
const UINT64 = "4";

/** `erpt-dropped` -> `erpt_dropped`. */
function metricName(stat: string): string {
  return stat.replaceAll("-", "_");
}

/**
 * The `name type data` rows of a named kstat, after its header. Calls `fn` for numeric rows of the given
 * types; `dataset_name` (a string row) is passed through `onString`.
 */
function eachKstat(text: string, types: readonly string[], fn: (name: string, value: number) => void, onString?: (name: string, value: string) => void): boolean {
  let started = false;
  for (const line of text.split("\n")) {
    const f = fields(line);
    if (!started) {
      started = f.length === 3 && f[0] === "name" && f[1] === "type" && f[2] === "data";
      continue;
    }
    if (f.length < 3) continue;
    if (types.includes(f[1]!)) {
      const v = Number(f[2]);
      if (Number.isNaN(v)) throw new Error(`zfs: could not parse integer value for ${f[0]}`);
      fn(f[0]!, v);
    } else if (onString) {
      onString(f[0]!, f[2]!);
    }
  }
  return started;
}

export const zfs = defineCollector({
  name: "zfs",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.procfs, "spl", "kstat", "zfs");
      const entries = listDir(root).sort();
      if (entries.length === 0) throw new NoDataError(root);

      for (const [subsystem, file] of KSTAT_FILES) {
        // kstat files come and go with ZFS versions; a missing one is fine.
        const text = readText(join(root, file));
        if (text === null) continue;
        const ok = eachKstat(text, [UINT64, INT64], (name, v) => {
          out.untyped(`node_${subsystem}_${metricName(name)}`, `kstat.zfs.misc.${file}.${name}`, v);
        });
        if (!ok) throw new Error(`zfs: did not parse a single "${file}" metric`);
      }

      const pools = entries.filter((e) => !KSTAT_FILES.some(([, f]) => f === e));
      for (const zpool of pools) {
        const io = readText(join(root, zpool, "io"));
        if (io !== null) poolIo(out, zpool, io);
      }
      for (const zpool of pools) {
        for (const objset of listDir(join(root, zpool)).filter((f) => f.startsWith("objset-")).sort()) {
          const text = readText(join(root, zpool, objset));
          if (text === null) continue;
          let dataset = "";
          const rows: [string, number][] = [];
          const ok = eachKstat(text, [UINT64], (name, v) => rows.push([name, v]), (name, v) => {
            if (name === "dataset_name") dataset = v;
          });
          if (!ok) throw new Error(`zfs: did not parse a single metric in ${join(root, zpool, objset)}`);
          for (const [name, v] of rows) {
            out.untyped(`node_zfs_zpool_dataset_${metricName(name)}`, `kstat.zfs.misc.objset.${name}`, v, { zpool, dataset });
          }
        }
      }
      for (const zpool of pools) {
        const state = readText(join(root, zpool, "state"));
        if (state === null) continue;
        const actual = state.split("\n")[0]!.toLowerCase();
        const fam = out.family("node_zfs_zpool_state", "gauge", "kstat.zfs.misc.state");
        for (const s of POOL_STATES) fam.add(actual === s ? 1 : 0, { zpool, state: s });
      }
    },
  }),
});

/** A pool's `io` kstat: a row of column names starting with `nread`, then one row of values. */
function poolIo(out: MetricSet, zpool: string, text: string): void {
  let header: string[] | undefined;
  for (const line of text.split("\n")) {
    const f = fields(line);
    if (!header) {
      if (f.length >= 12 && f[0] === "nread") header = f;
      continue;
    }
    if (f.length === 0) continue;
    header.forEach((name, i) => {
      const v = Number(f[i]);
      if (Number.isNaN(v)) throw new Error(`zfs: could not parse integer value for kstat.zfs.misc.io.${name} of ${zpool}`);
      out.untyped(`node_zfs_zpool_${metricName(name)}`, `kstat.zfs.misc.io.${name}`, v, { zpool });
    });
  }
}
