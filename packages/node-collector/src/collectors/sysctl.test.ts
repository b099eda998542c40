import { describe, expect, test } from "bun:test";
import { sysctl } from "./sysctl.ts";
import { collectText, expectGolden } from "../testing/golden.ts";

describe("sysctl collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(sysctl, {
      config: {
        include: ["vm.swappiness", "net.ipv4.ip_local_port_range:lower,upper", "net.ipv4.tcp_rmem"],
        includeInfo: ["kernel.core_pattern", "net.ipv4.tcp_available_congestion_control"],
      },
    });
    expectGolden("sysctl", text);
    expect(text).toMatch(/^# HELP node_sysctl_vm_swappiness sysctl vm.swappiness$/m);
    expect(text).toMatch(/^# TYPE node_sysctl_vm_swappiness untyped$/m);
    expect(text).toMatch(/^node_sysctl_vm_swappiness 60$/m);
    expect(text).toMatch(/^# HELP node_sysctl_net_ipv4_ip_local_port_range_upper sysctl net.ipv4.ip_local_port_range, field 1$/m);
    expect(text).toMatch(/^node_sysctl_net_ipv4_ip_local_port_range_lower 32768$/m);
    expect(text).toMatch(/^node_sysctl_net_ipv4_tcp_rmem\{index="2"\} 3\.3554432e\+07$/m);
    expect(text).toMatch(/^node_sysctl_info\{index="0",name="kernel.core_pattern",value="core"\} 1$/m);
    expect(text).toMatch(/^node_sysctl_info\{index="1",name="net.ipv4.tcp_available_congestion_control",value="bbr"\} 1$/m);
  });

  test("nothing chosen, nothing reported", async () => {
    expect(await collectText(sysctl)).toBe("");
  });

  test("a missing sysctl, a text value asked as a number, or keys that do not fit fail the collector", async () => {
    await expect(collectText(sysctl, { config: { include: ["vm.nonexistent"] } })).rejects.toThrow(/vm.nonexistent/);
    await expect(collectText(sysctl, { config: { include: ["kernel.core_pattern"] } })).rejects.toThrow(/not a valid int/);
    await expect(collectText(sysctl, { config: { include: ["vm.swappiness:a,b"] } })).rejects.toThrow(/only one value/);
    await expect(collectText(sysctl, { config: { include: ["net.ipv4.tcp_rmem:a,b"] } })).rejects.toThrow(/3 keys/);
  });
});
