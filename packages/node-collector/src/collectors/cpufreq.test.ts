import { describe, expect, test } from "bun:test";
import { cpufreq } from "./cpufreq.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("cpufreq collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(cpufreq);
    expectGolden("cpufreq", text);
    expect(text).toContain(`node_cpu_scaling_frequency_hertz{cpu="1"} 1.3e+09\n`);
    expect(text).toContain(`node_cpu_scaling_governor{cpu="0",governor="powersave"} 1\n`);
    expect(text).toContain(`node_cpu_scaling_governor{cpu="0",governor="performance"} 0\n`);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(cpufreq, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
