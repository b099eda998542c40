import { describe, expect, test } from "bun:test";
import { interrupts } from "./interrupts.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("interrupts collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(interrupts);
    expectGolden("interrupts", text);
    expect(text).toContain(`node_interrupts_total{cpu="1",devices="",info="Non-maskable interrupts",type="NMI"} `);
    expect(text).toMatch(/node_interrupts_total\{cpu="0",devices="[^"]+",info="IO-APIC",type="\d+"\} \d+/);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(interrupts, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});

test("system-wide rows without per-CPU counts (ERR, MIS) are skipped, as node_exporter does", async () => {
  expect(await collectText(interrupts)).not.toMatch(/type="(ERR|MIS)"/);
});
