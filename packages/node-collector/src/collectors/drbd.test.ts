import { describe, expect, test } from "bun:test";
import { drbd } from "./drbd.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("drbd collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(drbd);
    expectGolden("drbd", text);
    expect(promtoolProblems(text)).toEqual([]);
    expect(text).toMatch(/^node_drbd_network_sent_bytes_total\{device="drbd0"\} 2\.097152e\+06$/m);
    expect(text).toMatch(/^node_drbd_network_received_bytes_total\{device="drbd0"\} 512$/m);
    expect(text).toMatch(/^node_drbd_node_role_is_primary\{device="drbd0",node="local"\} 1$/m);
    expect(text).toMatch(/^node_drbd_disk_state_is_up_to_date\{device="drbd1",node="remote"\} 0$/m);
    expect(text).toMatch(/^node_drbd_connected\{device="drbd1"\} 0$/m);
    expect(text).toMatch(/^node_drbd_out_of_sync_bytes\{device="drbd1"\} 16384$/m);
  });

  test("a host without DRBD fails the collector (node_exporter's ErrNoData)", async () => {
    await expect(collectText(drbd, { paths: NOWHERE })).rejects.toThrow(/drbd/);
  });
});
