import { describe, expect, test } from "bun:test";
import { drbd } from "./drbd.ts";
import { collectText } from "../testing/golden.ts";

describe("drbd collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(drbd);
    expect(text).toMatch(/^node_drbd_network_sent_bytes_total\{device="drbd0"\} 2\.097152e\+06$/m);
    expect(text).toMatch(/^node_drbd_network_received_bytes_total\{device="drbd0"\} 512$/m);
    expect(text).toMatch(/^node_drbd_node_role_is_primary\{device="drbd0",node="local"\} 1$/m);
    expect(text).toMatch(/^node_drbd_disk_state_is_up_to_date\{device="drbd1",node="remote"\} 0$/m);
    expect(text).toMatch(/^node_drbd_connected\{device="drbd1"\} 0$/m);
    expect(text).toMatch(/^node_drbd_out_of_sync_bytes\{device="drbd1"\} 16384$/m);
  });
});
