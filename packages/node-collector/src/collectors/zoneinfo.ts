/** Per-zone page counts from /proc/zoneinfo (node_exporter's zoneinfo collector). */
import { defineCollector } from "../collector.ts";
import { fields, goInt, procPath, readText } from "../read.ts";

/** The keys node_exporter reports, in its order: key, family suffix, help, and whether it is a counter. */
const KEYS: [key: string, name: string, help: string, counter?: true][] = [
  ["nr_free_pages", "nr_free_pages", "Total number of free pages in the zone"],
  ["min", "min_pages", "Zone watermark pages_min"],
  ["low", "low_pages", "Zone watermark pages_low"],
  ["high", "high_pages", "Zone watermark pages_high"],
  ["scanned", "scanned_pages", "Pages scanned since last reclaim"],
  ["spanned", "spanned_pages", "Total pages spanned by the zone, including holes"],
  ["present", "present_pages", "Physical pages existing within the zone"],
  ["managed", "managed_pages", "Present pages managed by the buddy system"],
  ["nr_active_anon", "nr_active_anon_pages", "Number of anonymous pages recently more used"],
  ["nr_inactive_anon", "nr_inactive_anon_pages", "Number of anonymous pages recently less used"],
  ["nr_isolated_anon", "nr_isolated_anon_pages", "Temporary isolated pages from anon lru"],
  ["nr_anon_pages", "nr_anon_pages", "Number of anonymous pages currently used by the system"],
  ["nr_anon_transparent_hugepages", "nr_anon_transparent_hugepages", "Number of anonymous transparent huge pages currently used by the system"],
  ["nr_active_file", "nr_active_file_pages", "Number of active pages with file-backing"],
  ["nr_inactive_file", "nr_inactive_file_pages", "Number of inactive pages with file-backing"],
  ["nr_isolated_file", "nr_isolated_file_pages", "Temporary isolated pages from file lru"],
  ["nr_file_pages", "nr_file_pages", "Number of file pages"],
  ["nr_slab_reclaimable", "nr_slab_reclaimable_pages", "Number of reclaimable slab pages"],
  ["nr_slab_unreclaimable", "nr_slab_unreclaimable_pages", "Number of unreclaimable slab pages"],
  ["nr_mlock_stack", "nr_mlock_stack_pages", "mlock()ed pages found and moved off LRU"],
  ["nr_kernel_stack", "nr_kernel_stacks", "Number of kernel stacks"],
  ["nr_mapped", "nr_mapped_pages", "Number of mapped pages"],
  ["nr_dirty", "nr_dirty_pages", "Number of dirty pages"],
  ["nr_writeback", "nr_writeback_pages", "Number of writeback pages"],
  ["nr_unevictable", "nr_unevictable_pages", "Number of unevictable pages"],
  ["nr_shmem", "nr_shmem_pages", "Number of shmem pages (included tmpfs/GEM pages)"],
  ["nr_dirtied", "nr_dirtied_total", "Page dirtyings since bootup", true],
  ["nr_written", "nr_written_total", "Page writings since bootup", true],
  ["numa_hit", "numa_hit_total", "Allocated in intended node", true],
  ["numa_miss", "numa_miss_total", "Allocated in non intended node", true],
  ["numa_foreign", "numa_foreign_total", "Was intended here, hit elsewhere", true],
  ["numa_interleave", "numa_interleave_total", "Interleaver preferred this zone", true],
  ["numa_local", "numa_local_total", "Allocation from local node", true],
  ["numa_other", "numa_other_total", "Allocation from other node", true],
];
const BY_KEY = new Map(KEYS.map((k) => [k[0], k]));

export const zoneinfo = defineCollector({
  name: "zoneinfo",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const path = procPath(paths, "zoneinfo");
      const text = readText(path);
      if (text === null) throw new Error(`couldn't get zoneinfo: ${path} does not exist`);
      // One block per "Node N, zone NAME" heading. A node's first zone also carries its "per-node stats"; as in
      // node_exporter, a key's last value in the block is the zone's, and keys the block lacks are not reported.
      for (const block of text.split("\nNode")) {
        let node = "";
        let zone = "";
        const values = new Map<string, number>();
        let protection: number[] = [];
        for (const line of block.split("\n")) {
          const heading = /(\d+), zone\s+(\w+)/.exec(line);
          if (heading) {
            node = heading[1]!;
            zone = heading[2]!;
            continue;
          }
          const f = fields(line);
          if (f.length < 2 || f[0] === "per-node") continue;
          if (f[0] === "protection:") {
            // "protection: (0, 2815, 15868)"; a list that does not parse is left out whole.
            const items = line.slice(line.indexOf(":") + 1).replace("(", "").replace(")", "").trim().split(", ").map(goInt);
            if (!items.some(Number.isNaN)) protection = items;
            continue;
          }
          if (BY_KEY.has(f[0]!)) values.set(f[0]!, goInt(f[1]!));
        }
        const labels = { node, zone };
        for (const [key, name, help, counter] of KEYS) {
          const v = values.get(key);
          // A value that does not parse leaves the key unset, as procfs does.
          if (v !== undefined && !Number.isNaN(v)) out.family(`node_zoneinfo_${name}`, counter ? "counter" : "gauge", help).add(v, labels);
        }
        protection.forEach((v, i) => out.family(`node_zoneinfo_protection_${i}`, "gauge", `Protection array ${i}. field`).add(v, labels));
      }
    },
  }),
});
