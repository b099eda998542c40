import { describe, expect, test } from "bun:test";
import { stat } from "./stat.ts";
import { collectText, promtoolProblems } from "../testing/golden.ts";

describe("stat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(stat);
    expect(text).toMatch(/^node_boot_time_seconds [0-9.e+]+$/m);
    expect(text).toContain("# TYPE node_context_switches_total counter");
    expect(text).toMatch(/^node_forks_total [0-9.e+]+$/m);
    expect(text).toMatch(/^node_intr_total [0-9.e+]+$/m);
    expect(text).toMatch(/^node_procs_blocked [0-9.e+]+$/m);
  });

  test("--collector.stat.softirq adds node_softirqs_total per vector from the softirq line, as node_exporter names them", async () => {
    expect(await collectText(stat)).not.toContain("node_softirqs_total");
    const text = await collectText(stat, { config: { softirq: true } });
    // fixture: softirq 297004 0 29617 7 7063 113097 0 2 71463 0 75755 (total first)
    const want = { hi: 0, timer: 29617, net_tx: 7, net_rx: 7063, block: 113097, block_iopoll: 0, tasklet: 2, sched: 71463, hrtimer: 0, rcu: 75755 };
    const got = Object.fromEntries([...text.matchAll(/^node_softirqs_total\{vector="(\w+)"\} (\d+)$/gm)].map((m) => [m[1], Number(m[2])]));
    expect(got).toEqual(want);
    expect(text).toContain("# HELP node_softirqs_total Number of softirq calls.\n# TYPE node_softirqs_total counter\n");
    expect(promtoolProblems(text)).toEqual([]);
  });
});
