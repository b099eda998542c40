import { describe, expect, test } from "bun:test";
import { zfs } from "./zfs.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("zfs collector", () => {
  test("exposes kstats, pool io, datasets and pool state", async () => {
    const text = await collectText(zfs);
    expectGolden("zfs", text);
    expect(text).toContain("# HELP node_zfs_arc_hits kstat.zfs.misc.arcstats.hits\n# TYPE node_zfs_arc_hits untyped\nnode_zfs_arc_hits 48213071\n");
    // KSTAT_DATA_INT64 rows may be negative
    expect(text).toContain("node_zfs_arc_memory_available_bytes -104857600\n");
    expect(text).toContain("node_zfs_fm_erpt_dropped 18\n");
    expect(text).toContain('node_zfs_zpool_nread{zpool="tank"} 95741554688\n');
    expect(text).toContain('node_zfs_zpool_dataset_writes{zpool="tank",dataset="tank/home"} 8803441\n');
    expect(text).toContain('node_zfs_zpool_state{zpool="backup",state="degraded"} 1\n');
    expect(text).toContain('node_zfs_zpool_state{zpool="backup",state="online"} 0\n');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("a host without the zfs module yields nothing", async () => {
    expect(await collectText(zfs, { paths: { procfs: "/nonexistent" } })).toBe("");
  });
});
