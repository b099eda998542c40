import { describe, expect, test } from "bun:test";
import { softirqs } from "./softirqs.ts";
import { collectText, expectGolden } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("softirqs collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(softirqs);
    expectGolden("softirqs", text);
    expect(text).toMatch(/^node_softirqs_functions_total\{cpu="1",type="NET_RX"\} 585955$/m);
    expect(text).toMatch(/^node_softirqs_functions_total\{cpu="0",type="TIMER"\} 47957$/m);
  });

  test("a host without /proc/softirqs fails the collector, as node_exporter does", async () => {
    await expect(collectText(softirqs, { paths: NOWHERE })).rejects.toThrow(/softirqs/);
  });
});
