import { describe, expect, test } from "bun:test";
import { cpu_vulnerabilities } from "./cpu_vulnerabilities.ts";
import { collectText } from "../testing/golden.ts";

describe("cpu_vulnerabilities collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(cpu_vulnerabilities);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="spec_store_bypass",mitigation="",state="vulnerable"\} 1$/m);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="spectre_v1",mitigation="usercopy\/swapgs barriers and __user pointer sanitization",state="mitigation"\} 1$/m);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="meltdown",mitigation="",state="not affected"\} 1$/m);
    expect(text).toMatch(/^node_cpu_vulnerabilities_info\{codename="spec_rstack_overflow",mitigation="Safe RET, no microcode",state="vulnerable"\} 1$/m);
  });
});
