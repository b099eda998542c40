import { describe, expect, test } from "bun:test";
import { udp_queues } from "./udp_queues.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("udp_queues collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(udp_queues);
    expectGolden("udp_queues", text);
    expect(text).toContain(`node_udp_queues{ip="v4",queue="rx"} `);
    expect(text).toContain(`node_udp_queues{ip="v6",queue="tx"} `);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(udp_queues, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
