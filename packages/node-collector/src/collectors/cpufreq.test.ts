import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { collectText, fixturePaths } from "../testing/golden.ts";
import { cpufreq } from "./cpufreq.ts";

describe("cpufreq collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(cpufreq);
    expect(text).toContain(`node_cpu_scaling_frequency_hertz{cpu="1"} 1.3e+09\n`);
    expect(text).toContain(`node_cpu_scaling_governor{cpu="0",governor="powersave"} 1\n`);
    expect(text).toContain(`node_cpu_scaling_governor{cpu="0",governor="performance"} 0\n`);
  });
});

// A copy of the fixture's devices/system/cpu broken as kernels break it. This host's loopback `speed` answers
// EINVAL on every read: a real kernel error.
describe("cpufreq fails where node_exporter 1.8.2 fails (success 0) and skips what it skips", () => {
  let sysfs: string;
  let cpu1: string;
  const scrape = () => collectText(cpufreq, { paths: { sysfs } });

  beforeEach(() => {
    sysfs = mkdtempSync("/tmp/cpufreq-");
    cpSync(`${fixturePaths.sysfs}/devices/system/cpu`, `${sysfs}/devices/system/cpu`, { recursive: true });
    cpu1 = `${sysfs}/devices/system/cpu/cpu1/cpufreq`;
  });
  afterEach(() => rmSync(sysfs, { recursive: true }));

  test("a frequency whose read fails with EINVAL fails the collector", async () => {
    rmSync(`${cpu1}/scaling_cur_freq`);
    symlinkSync("/sys/class/net/lo/speed", `${cpu1}/scaling_cur_freq`);
    await expect(scrape()).rejects.toThrow("cpu1/cpufreq/scaling_cur_freq");
  });

  test("a frequency that is not a number (<unknown>) fails the collector", async () => {
    writeFileSync(`${cpu1}/cpuinfo_cur_freq`, "<unknown>\n");
    await expect(scrape()).rejects.toThrow("invalid syntax");
  });

  test("a missing frequency is left out, the rest is served", async () => {
    rmSync(`${cpu1}/cpuinfo_cur_freq`);
    const text = await scrape();
    expect(text).toContain(`node_cpu_frequency_hertz{cpu="0"} 1.8e+09\n`);
    expect(text).not.toContain(`node_cpu_frequency_hertz{cpu="1"}`);
    expect(text).toContain(`node_cpu_scaling_frequency_hertz{cpu="1"} 1.3e+09\n`);
  });

  test("a cpufreq directory without scaling_setspeed fails the collector", async () => {
    rmSync(`${cpu1}/scaling_setspeed`);
    await expect(scrape()).rejects.toThrow("scaling_setspeed");
  });

  test("a missing offline list fails the collector; offline CPUs are left out", async () => {
    writeFileSync(`${sysfs}/devices/system/cpu/offline`, "1\n");
    const text = await scrape();
    expect(text).toContain(`node_cpu_frequency_hertz{cpu="0"} 1.8e+09\n`);
    expect(text).not.toContain(`cpu="1"`);
    rmSync(`${sysfs}/devices/system/cpu/offline`);
    await expect(scrape()).rejects.toThrow("offline");
  });

  test("a CPU without a cpufreq directory is skipped", async () => {
    rmSync(cpu1, { recursive: true });
    const text = await scrape();
    expect(text).toContain(`node_cpu_frequency_hertz{cpu="0"} 1.8e+09\n`);
    expect(text).not.toContain(`cpu="1"`);
  });
});
