import { describe, expect, test } from "bun:test";
import { cpufreq } from "./cpufreq.ts";
import { collectText } from "../testing/golden.ts";

describe("cpufreq collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(cpufreq);
    expect(text).toContain(`node_cpu_scaling_frequency_hertz{cpu="1"} 1.3e+09\n`);
    expect(text).toContain(`node_cpu_scaling_governor{cpu="0",governor="powersave"} 1\n`);
    expect(text).toContain(`node_cpu_scaling_governor{cpu="0",governor="performance"} 0\n`);
  });
});
