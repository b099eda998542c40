import { describe, expect, test } from "bun:test";
import { netstat } from "./netstat.ts";
import { collectText, fixturePaths } from "../testing/golden.ts";

describe("netstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(netstat);
    expect(text).toMatch(/^node_netstat_Tcp_CurrEstab \d+$/m);
    expect(text).toMatch(/^node_netstat_Ip6_InOctets \d+$/m);
    expect(text).toMatch(/^node_netstat_TcpExt_ListenDrops \d+$/m);
    expect(text).toContain("# TYPE node_netstat_Udp_InDatagrams untyped");
    expect(text).not.toContain("node_netstat_Tcp_MaxConn");
  });

  test("later scrapes read the same values, and a changed snmp6 layout is parsed afresh", async () => {
    const { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = await import("node:fs");
    const first = await collectText(netstat);
    expect(await collectText(netstat)).toBe(first);
    const procfs = mkdtempSync("/tmp/netstat-");
    cpSync(fixturePaths.procfs + "/net", procfs + "/net", { recursive: true });
    const paths = { procfs };
    expect(await collectText(netstat, { paths })).toBe(first);
    // A new field in the middle moves every later line; values must still come from their own lines.
    const snmp6 = readFileSync(procfs + "/net/snmp6", "latin1");
    writeFileSync(procfs + "/net/snmp6", snmp6.replace(/^(Ip6InOctets\s+)(\d+)$/m, "Ip6InNewThing                   \t7\n$1999$2"));
    const changed = await collectText(netstat, { paths });
    const inOctets = Number(/^Ip6InOctets\s+(\d+)$/m.exec(snmp6)![1]);
    expect(changed).toContain(`node_netstat_Ip6_InOctets ${Number("999" + inOctets)}\n`);
    expect(changed.replace(/^node_netstat_Ip6_InOctets .*$/m, "")).toBe(first.replace(/^node_netstat_Ip6_InOctets .*$/m, ""));
    rmSync(procfs, { recursive: true });
  });
});
