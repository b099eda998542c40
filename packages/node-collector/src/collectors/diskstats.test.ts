import { describe, expect, test } from "bun:test";
import { formatValue } from "@agent/core";
import { diskstats } from "./diskstats.ts";
import { collectText } from "../testing/golden.ts";

describe("diskstats collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(diskstats);
    // From udev's database, as node_exporter reads it: ATA properties of a disk udev marks ID_ATA, and
    // device-mapper names.
    expect(text).toContain('node_disk_ata_rotation_rate_rpm{device="sda"} 5400\n');
    expect(text).toContain('node_disk_ata_write_cache_enabled{device="sda"} 0\n');
    expect(text).not.toContain('node_disk_ata_write_cache{device="vda"}');
    expect(text).toContain('node_disk_device_mapper_info{device="dm-0",lv_layer="",lv_name="data",name="vg0-data",');
    expect(text).toContain(`node_disk_info{device="vda",major="254",minor="0",model="",path="pci-0000:00:05.0",revision="",serial="vda-serial-1",wwn=""} 1`);
    expect(text).toContain(`node_disk_filesystem_info{device="vda",type="ext4"`);
    expect(text).not.toContain(`device="loop0"`);
    expect(text).not.toContain(`device="zram0"`);
    const f = /^\s*254\s+0 vda (.*)$/m.exec(await Bun.file(import.meta.dir + "/../../fixtures/proc/diskstats").text())![1]!.split(" ").map(Number);
    expect(text).toContain(`node_disk_read_bytes_total{device="vda"} ${formatValue(f[2]! * 512)}\n`);
    expect(text).toContain(`node_disk_read_time_seconds_total{device="vda"} ${formatValue(f[3]! * 0.001)}\n`);
  });
});
