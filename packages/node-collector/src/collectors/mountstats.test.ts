import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { mountstats } from "./mountstats.ts";
import { collectText } from "../testing/golden.ts";

describe("mountstats collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(mountstats);
    expect(text).toMatch(/^node_mountstats_nfs_age_seconds_total\{export="192.168.1.10:\/srv\/data",mountaddr="192.168.1.10",protocol="tcp"\} 86400$/m);
    expect(text).toMatch(/^node_mountstats_nfs_read_bytes_total\{export="10.0.0.5:\/export\/home",mountaddr="10.0.0.5",protocol="udp"\} 65536$/m);
    // udp has no connect or idle columns: they read 0 and the rest keep their meaning.
    expect(text).toMatch(/^node_mountstats_nfs_transport_connect_total\{export="10.0.0.5:\/export\/home",mountaddr="10.0.0.5",protocol="udp"\} 0$/m);
    expect(text).toMatch(/^node_mountstats_nfs_transport_sends_total\{export="10.0.0.5:\/export\/home",mountaddr="10.0.0.5",protocol="udp"\} 700$/m);
    expect(text).toMatch(/^node_mountstats_nfs_transport_maximum_rpc_slots\{export="10.0.0.5:\/export\/home",mountaddr="10.0.0.5",protocol="udp"\} 4$/m);
    expect(text).toMatch(/^node_mountstats_nfs_operations_response_time_seconds_total\{export="192.168.1.10:\/srv\/data",mountaddr="192.168.1.10",operation="READ",protocol="tcp"\} 9.021$/m);
    expect(text).toMatch(/^node_mountstats_nfs_event_vfs_file_release_total\{export="192.168.1.10:\/srv\/data",mountaddr="192.168.1.10",protocol="tcp"\} 70$/m);
    expect(text).toMatch(/^node_mountstats_nfs_event_truncation_total\{export="192.168.1.10:\/srv\/data",mountaddr="192.168.1.10",protocol="tcp"\} 1$/m);
  });

  test("a queue time past 2^53 ms wraps as node_exporter's, and the bind mount of the same export is reported once", async () => {
    const text = await collectText(mountstats);
    // 18446744073709551615 mod 2^53 = 9007199254740991 ms, 9007199254740.99 s as a float64,
    // which Go's 'g' form writes as 9.00719925474099e+12.
    expect(text).toMatch(/^node_mountstats_nfs_operations_queue_time_seconds_total\{export="192.168.1.10:\/srv\/data",mountaddr="192.168.1.10",operation="ACCESS",protocol="tcp"\} 9\.00719925474099e\+12$/m);
    expect(text.match(/^node_mountstats_nfs_age_seconds_total\{export="192.168.1.10:\/srv\/data"/gm)?.length).toBe(1);
  });

  test("statistics of a filesystem other than NFS fail the collector, as in node_exporter", async () => {
    const procfs = mkdtempSync("/tmp/mountstats-");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(procfs + "/self");
    writeFileSync(procfs + "/self/mountstats", "device /dev/sda1 mounted on /x with fstype ext4 statvers=1.1\n\n");
    writeFileSync(procfs + "/self/mountinfo", "1 0 8:1 / /x rw - ext4 /dev/sda1 rw\n");
    await expect(collectText(mountstats, { paths: { procfs } })).rejects.toThrow(/ext4/);
  });
});
