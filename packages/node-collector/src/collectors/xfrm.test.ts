import { describe, expect, test } from "bun:test";
import { xfrm } from "./xfrm.ts";
import { collectText } from "../testing/golden.ts";

describe("xfrm collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(xfrm);
    expect(text).toMatch(/^node_xfrm_in_error_packets_total 0$/m);
    expect(text).toMatch(/^node_xfrm_acquire_error_packets_total 0$/m);
    expect(text).toMatch(/^# HELP node_xfrm_in_no_pols_packets_total No policy is found for states e.g. Inbound SAs are correct but no SP is found$/m);
  });

  test("counters the kernel prints are read and the ones it lacks are 0", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import("node:fs");
    const procfs = mkdtempSync("/tmp/xfrm-");
    mkdirSync(procfs + "/net");
    writeFileSync(procfs + "/net/xfrm_stat", "XfrmInError             \t3\nXfrmOutPolDead          \t7\n");
    const text = await collectText(xfrm, { paths: { procfs } });
    expect(text).toMatch(/^node_xfrm_in_error_packets_total 3$/m);
    expect(text).toMatch(/^node_xfrm_out_pol_dead_packets_total 7$/m);
    expect(text).toMatch(/^node_xfrm_fwd_hdr_error_packets_total 0$/m);
    expect(text.match(/^node_xfrm_/gm)?.length).toBe(28);
  });
});
