/** Per-filesystem XFS statistics from /sys/fs/xfs/<device>/stats/stats (node_exporter's xfs collector). */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { fields, listDir, readText } from "../read.ts";

/**
 * stats line -> the metric for each of its values in kernel order (fs/xfs/xfs_stats.h), or null for values
 * node_exporter does not expose. Names and help follow the XFS wiki's runtime stats page, as node_exporter's do.
 */
const LINES: Record<string, ([metric: string, help: string] | null)[]> = {
  extent_alloc: [
    ["extent_allocation_extents_allocated_total", "Number of extents allocated for a filesystem."],
    ["extent_allocation_blocks_allocated_total", "Number of blocks allocated for a filesystem."],
    ["extent_allocation_extents_freed_total", "Number of extents freed for a filesystem."],
    ["extent_allocation_blocks_freed_total", "Number of blocks freed for a filesystem."],
  ],
  abt: [
    ["allocation_btree_lookups_total", "Number of allocation B-tree lookups for a filesystem."],
    ["allocation_btree_compares_total", "Number of allocation B-tree compares for a filesystem."],
    ["allocation_btree_records_inserted_total", "Number of allocation B-tree records inserted for a filesystem."],
    ["allocation_btree_records_deleted_total", "Number of allocation B-tree records deleted for a filesystem."],
  ],
  blk_map: [
    ["block_mapping_reads_total", "Number of block map for read operations for a filesystem."],
    ["block_mapping_writes_total", "Number of block map for write operations for a filesystem."],
    ["block_mapping_unmaps_total", "Number of block unmaps (deletes) for a filesystem."],
    ["block_mapping_extent_list_insertions_total", "Number of extent list insertions for a filesystem."],
    ["block_mapping_extent_list_deletions_total", "Number of extent list deletions for a filesystem."],
    ["block_mapping_extent_list_lookups_total", "Number of extent list lookups for a filesystem."],
    ["block_mapping_extent_list_compares_total", "Number of extent list compares for a filesystem."],
  ],
  bmbt: [
    ["block_map_btree_lookups_total", "Number of block map B-tree lookups for a filesystem."],
    ["block_map_btree_compares_total", "Number of block map B-tree compares for a filesystem."],
    ["block_map_btree_records_inserted_total", "Number of block map B-tree records inserted for a filesystem."],
    ["block_map_btree_records_deleted_total", "Number of block map B-tree records deleted for a filesystem."],
  ],
  dir: [
    ["directory_operation_lookup_total", "Number of file name directory lookups which miss the operating systems directory name lookup cache."],
    ["directory_operation_create_total", "Number of times a new directory entry was created for a filesystem."],
    ["directory_operation_remove_total", "Number of times an existing directory entry was created for a filesystem."],
    ["directory_operation_getdents_total", "Number of times the directory getdents operation was performed for a filesystem."],
  ],
  ig: [
    ["inode_operation_attempts_total", "Number of times the OS looked for an XFS inode in the inode cache."],
    ["inode_operation_found_total", "Number of times the OS looked for and found an XFS inode in the inode cache."],
    ["inode_operation_recycled_total", "Number of times the OS found an XFS inode in the cache, but could not use it as it was being recycled."],
    ["inode_operation_missed_total", "Number of times the OS looked for an XFS inode in the cache, but did not find it."],
    ["inode_operation_duplicates_total", "Number of times the OS tried to add a missing XFS inode to the inode cache, but found it had already been added by another process."],
    ["inode_operation_reclaims_total", "Number of times the OS reclaimed an XFS inode from the inode cache to free memory for another purpose."],
    ["inode_operation_attribute_changes_total", "Number of times the OS explicitly changed the attributes of an XFS inode."],
  ],
  // The kernel writes write calls before read calls.
  rw: [
    ["write_calls_total", "Number of write(2) system calls made to files in a filesystem."],
    ["read_calls_total", "Number of read(2) system calls made to files in a filesystem."],
  ],
  vnodes: [
    ["vnode_active_total", "Number of vnodes not on free lists for a filesystem."],
    ["vnode_allocate_total", "Number of times vn_alloc called for a filesystem."],
    ["vnode_get_total", "Number of times vn_get called for a filesystem."],
    ["vnode_hold_total", "Number of times vn_hold called for a filesystem."],
    ["vnode_release_total", "Number of times vn_rele called for a filesystem."],
    ["vnode_reclaim_total", "Number of times vn_reclaim called for a filesystem."],
    ["vnode_remove_total", "Number of times vn_remove called for a filesystem."],
  ],
};

export const xfs = defineCollector({
  name: "xfs",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const root = join(paths.sysfs, "fs", "xfs");
      for (const device of listDir(root).sort()) {
        // /sys/fs/xfs/stats holds the sum over all filesystems; only per-device directories are reported.
        if (device === "stats") continue;
        const text = readText(join(root, device, "stats", "stats"));
        if (text === null) continue;
        const seen = new Map<string, number[]>();
        for (const line of text.split("\n")) {
          const f = fields(line);
          if (f.length > 1 && f[0]! in LINES) seen.set(f[0]!, f.slice(1).map(Number));
        }
        for (const [key, metrics] of Object.entries(LINES)) {
          const values = seen.get(key) ?? [];
          metrics.forEach((m, i) => {
            if (m) out.family(`node_xfs_${m[0]}`, "counter", m[1]).add(values[i] ?? 0, { device });
          });
        }
      }
    },
  }),
});
