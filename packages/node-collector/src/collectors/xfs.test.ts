import { describe, expect, test } from "bun:test";
import { xfs } from "./xfs.ts";
import { collectText } from "../testing/golden.ts";

describe("xfs collector", () => {
  test("exposes per-device stats in kernel order, skipping the global sum", async () => {
    const text = await collectText(xfs);
    expect(text).toContain('node_xfs_write_calls_total{device="sda1"} 3.360551e+06\n');
    expect(text).toContain('node_xfs_read_calls_total{device="sda1"} 1.412089e+06\n');
    expect(text).toContain('node_xfs_inode_operation_attribute_changes_total{device="nvme0n1p2"} 2\n');
    expect(text).not.toContain('device="stats"');
  });
});
