import { describe, expect, test } from "bun:test";
import { formatIPv6 } from "../ip-address.ts";
import { ipvs } from "./ipvs.ts";
import { collectText } from "../testing/golden.ts";

describe("ipvs collector", () => {
  test("exposes hex totals and per-backend connections with every label", async () => {
    const text = await collectText(ipvs);
    expect(text).toContain("node_ipvs_connections_total 2.758643e+06\n");
    expect(text).toContain(
      'node_ipvs_backend_connections_active{local_address="10.0.1.100",local_mark="",local_port="443",proto="TCP",remote_address="10.0.10.11",remote_port="443"} 312\n',
    );
    expect(text).toContain('local_address="",local_mark="00000A2B",local_port="0",proto="FWM",remote_address="10.0.10.12",remote_port="0"} 6\n');
    expect(text).toContain('local_address="2001:db8::100"');
    expect(text).toContain('remote_address="2001:db8::a00:a0b"');
  });

  test("fewer backend labels sum the backends that share them", async () => {
    const text = await collectText(ipvs, { config: { backendLabels: ipvs.flags!.backendLabels.parse("local_address,local_port") } });
    expect(text).toContain('node_ipvs_backend_connections_active{local_address="10.0.1.100",local_port="443"} 749\n');
    expect(text).toContain('node_ipvs_backend_weight{local_address="10.0.1.100",local_port="443"} 250\n');
  });

  test("unknown backend labels are rejected when the flag is parsed", () => {
    expect(() => ipvs.flags!.backendLabels.parse("local_address,bogus")).toThrow(/--collector.ipvs.backend-labels: unknown IPVS backend labels: bogus/);
    expect(ipvs.flags!.backendLabels.parse("proto,local_port")).toEqual(["local_port", "proto"]);
  });

  test("IPv6 addresses are written as Go writes them", () => {
    expect(formatIPv6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])).toBe("2001:db8::1");
    expect(formatIPv6([0, 0, 0, 0, 0, 0, 0, 0])).toBe("::");
    expect(formatIPv6([1, 0, 2, 0, 0, 3, 0, 0])).toBe("1:0:2::3:0:0");
    expect(formatIPv6([0, 0, 0, 0, 0, 0xffff, 0xc0a8, 0x0101])).toBe("::ffff:192.168.1.1");
  });
});
