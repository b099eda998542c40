import { describe, expect, test } from "bun:test";
import { infiniband } from "./infiniband.ts";
import { collectText } from "../testing/golden.ts";

describe("infiniband collector", () => {
  test("exposes port state, rate and counters; data counters are scaled by 4 lanes", async () => {
    const text = await collectText(infiniband);
    expect(text).toContain('node_infiniband_rate_bytes_per_second{device="mlx4_0",port="1"} 7e+09\n');
    expect(text).toContain('node_infiniband_port_data_received_bytes_total{device="mlx4_0",port="1"} 1.087315684e+10\n');
    expect(text).toContain('node_infiniband_legacy_data_received_bytes_total{device="qib0",port="1"} 16384\n');
    // "N/A (no PMA)" counters are skipped rather than failing the scrape
    expect(text).not.toContain('node_infiniband_port_data_received_bytes_total{device="mlx4_0",port="2"}');
    expect(text).toContain('node_infiniband_state_id{device="mlx4_0",port="2"} 1\n');
  });
});
