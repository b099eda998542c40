import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { zfs } from "./zfs.ts";
import { collectText } from "../testing/golden.ts";

describe("zfs collector", () => {
  test("exposes kstats, pool io, datasets and pool state", async () => {
    const text = await collectText(zfs);
    expect(text).toContain("# HELP node_zfs_arc_hits kstat.zfs.misc.arcstats.hits\n# TYPE node_zfs_arc_hits untyped\nnode_zfs_arc_hits 4.8213071e+07\n");
    expect(text).toContain("node_zfs_fm_erpt_dropped 18\n");
    expect(text).toContain('node_zfs_zpool_nread{zpool="tank"} 9.5741554688e+10\n');
    expect(text).toContain('node_zfs_zpool_dataset_writes{dataset="tank/home",zpool="tank"} 8.803441e+06\n');
    expect(text).toContain('node_zfs_zpool_state{state="degraded",zpool="backup"} 1\n');
    expect(text).toContain('node_zfs_zpool_state{state="online",zpool="backup"} 0\n');
  });

  test("KSTAT_DATA_INT64 rows may be negative", async () => {
    const proc = mkdtempSync(join(tmpdir(), "zfs-"));
    try {
      mkdirSync(join(proc, "spl", "kstat", "zfs"), { recursive: true });
      writeFileSync(
        join(proc, "spl", "kstat", "zfs", "arcstats"),
        "13 1 0x01 2 544 4186429874 1.924402917344233e+15\nname                            type data\nhits                            4    12\nmemory_available_bytes          3    -104857600\n",
      );
      const text = await collectText(zfs, { paths: { procfs: proc } });
      expect(text).toContain("node_zfs_arc_memory_available_bytes -1.048576e+08\n");
      expect(text).toContain("node_zfs_arc_hits 12\n");
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
