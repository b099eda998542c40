import { beforeAll, describe, expect, test } from "bun:test";
import { btrfs } from "./btrfs.ts";
import { collectText, writeBtrfsDataProfiles } from "../testing/golden.ts";

beforeAll(writeBtrfsDataProfiles);

describe("btrfs collector", () => {
  test("exposes allocation per block group type and profile, and device sizes", async () => {
    const text = await collectText(btrfs);
    expect(text).toContain('node_btrfs_info{label="données",uuid="7b3c29a4-1e55-4d8c-9f0a-63b1d2e4c5f6"} 1\n');
    expect(text).toContain('node_btrfs_allocation_ratio{block_group_type="data",mode="raid1",uuid="7b3c29a4-1e55-4d8c-9f0a-63b1d2e4c5f6"} 2\n');
    expect(text).toContain('node_btrfs_allocation_ratio{block_group_type="metadata",mode="dup",uuid="e2d9f6b1-0c47-4a3e-b5d8-1f9a7c6e2b30"} 2\n');
    // 41943040 sectors of 512 bytes
    expect(text).toContain('node_btrfs_device_size_bytes{device="sdb",uuid="7b3c29a4-1e55-4d8c-9f0a-63b1d2e4c5f6"} 2.147483648e+10\n');
  });
});
