import { describe, expect, test } from "bun:test";
import { interrupts } from "./interrupts.ts";
import { collectText } from "../testing/golden.ts";

describe("interrupts collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(interrupts);
    expect(text).toContain(`node_interrupts_total{cpu="1",devices="",info="Non-maskable interrupts",type="NMI"} `);
    expect(text).toMatch(/node_interrupts_total\{cpu="0",devices="[^"]+",info="IO-APIC",type="\d+"\} \d+/);
  });
});

test("system-wide rows without per-CPU counts (ERR, MIS) are skipped, as node_exporter does", async () => {
  expect(await collectText(interrupts)).not.toMatch(/type="(ERR|MIS)"/);
});
