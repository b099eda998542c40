import { describe, expect, test } from "bun:test";
import { fibrechannel } from "./fibrechannel.ts";
import { collectText } from "../testing/golden.ts";

describe("fibrechannel collector", () => {
  test("exposes host info and hex statistics, skipping counters the firmware does not implement", async () => {
    const text = await collectText(fibrechannel);
    expect(text).toContain('node_fibrechannel_rx_frames_total{fc_host="host0"} 1.789487e+06\n');
    expect(text).not.toContain('node_fibrechannel_dumped_frames_total{fc_host="host0"}');
    expect(text).toContain('port_name="21000024ff7e3a10"');
    expect(text).toContain('node_fibrechannel_link_failure_total{fc_host="host1"} 17\n');
  });
});
