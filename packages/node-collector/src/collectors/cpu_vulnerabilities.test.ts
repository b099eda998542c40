import { describe, expect, test } from "bun:test";
import { cpu_vulnerabilities } from "./cpu_vulnerabilities.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

const NOWHERE = { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" };

describe("cpu_vulnerabilities collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(cpu_vulnerabilities);
    expectGolden("cpu_vulnerabilities", text);
    expect(promtoolProblems(text)).toEqual([]);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="spec_store_bypass",mitigation="",state="vulnerable"\} 1$/m);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="spectre_v1",mitigation="usercopy\/swapgs barriers and __user pointer sanitization",state="mitigation"\} 1$/m);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="meltdown",mitigation="",state="not affected"\} 1$/m);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="spec_rstack_overflow",mitigation="Safe RET, no microcode",state="vulnerable"\} 1$/m);
  });

  test("a host without the vulnerabilities directory yields nothing", async () => {
    expect(await collectText(cpu_vulnerabilities, { paths: NOWHERE })).toBe("");
  });
});
