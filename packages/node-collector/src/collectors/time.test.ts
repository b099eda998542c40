import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { time } from "./time.ts";
import { collectText } from "../testing/golden.ts";

describe("time collector", () => {
  test("reports the clock, the zone and the fixture's clocksources", async () => {
    const before = Date.now() / 1000;
    const text = await collectText(time);
    const t = Number(/^node_time_seconds (\S+)$/m.exec(text)![1]);
    expect(t).toBeGreaterThanOrEqual(before);
    expect(t).toBeLessThanOrEqual(Date.now() / 1000);
    expect(text).toMatch(/^node_time_zone_offset_seconds\{time_zone="[^"]+"\} -?\d+$/m);
    expect(text).toMatch(/^node_time_clocksource_current_info\{clocksource="\w+",device="0"\} 1$/m);
    expect(text).toMatch(/^node_time_clocksource_available_info\{clocksource="\w+",device="0"\} 1$/m);
  });

  test("every clocksource directory, labelled by its place in name order; one without its files fails", async () => {
    const sysfs = mkdtempSync("/tmp/clocksource-");
    const base = `${sysfs}/devices/system/clocksource`;
    for (const [dir, available, current] of [["clocksource1", "hpet acpi_pm", "hpet"], ["clocksource0", "tsc hpet", "tsc"]]) {
      mkdirSync(`${base}/${dir}`, { recursive: true });
      writeFileSync(`${base}/${dir}/available_clocksource`, available + " \n");
      writeFileSync(`${base}/${dir}/current_clocksource`, current + "\n");
    }
    const text = await collectText(time, { paths: { sysfs } });
    expect(text.match(/^node_time_clocksource_\w+\{.*$/gm)).toEqual([
      'node_time_clocksource_available_info{clocksource="acpi_pm",device="1"} 1',
      'node_time_clocksource_available_info{clocksource="hpet",device="0"} 1',
      'node_time_clocksource_available_info{clocksource="hpet",device="1"} 1',
      'node_time_clocksource_available_info{clocksource="tsc",device="0"} 1',
      'node_time_clocksource_current_info{clocksource="hpet",device="1"} 1',
      'node_time_clocksource_current_info{clocksource="tsc",device="0"} 1',
    ]);
    rmSync(`${base}/clocksource1/current_clocksource`);
    await expect(collectText(time, { paths: { sysfs } })).rejects.toThrow("current_clocksource");
    rmSync(sysfs, { recursive: true });
  });
});
