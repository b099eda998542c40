import { describe, expect, test } from "bun:test";
import { mdadm, parseMdstat } from "./mdadm.ts";
import { collectText } from "../testing/golden.ts";

describe("mdadm collector", () => {
  test("reports state, disks and sync progress for every array kind", async () => {
    const text = await collectText(mdadm);
    expect(text).toContain('node_md_state{device="md1",state="recovering"} 1\n');
    expect(text).toContain('node_md_disks{device="md1",state="failed"} 1\n');
    expect(text).toContain('node_md_disks{device="md1",state="spare"} 1\n');
    expect(text).toContain('node_md_blocks_synced{device="md1"} 5.33211136e+08\n');
    expect(text).toContain('node_md_state{device="md2",state="check"} 1\n');
    expect(text).toContain('node_md_blocks_synced{device="md3"} 0\n'); // resync=DELAYED
    expect(text).toContain('node_md_state{device="md4",state="resync"} 1\n');
    expect(text).toContain('node_md_disks_required{device="md5"} 2\n'); // raid0 counts its members
    expect(text).toContain('node_md_state{device="md6",state="inactive"} 1\n');
  });

  test("a truncated device entry is an error, not silent zeros", () => {
    expect(() => parseMdstat("Personalities : [raid1]\nmd0 : active raid1 sda1[0]\n")).toThrow(/too few lines/);
  });
});
