import { describe, expect, test } from "bun:test";
import { nfs } from "./nfs.ts";
import { collectText } from "../testing/golden.ts";

describe("nfs collector", () => {
  test("exposes /proc/net/rpc/nfs counters", async () => {
    const text = await collectText(nfs);
    expect(text).toContain('node_nfs_packets_total{protocol="tcp"} 70451\n');
    expect(text).toContain('node_nfs_rpc_retransmissions_total 7\n');
    expect(text).toContain('node_nfs_requests_total{method="ReadDirPlus",proto="3"} 8823\n');
    expect(text).toContain('node_nfs_requests_total{method="Getattr",proto="4"} 5113\n');
    // The 45th and 46th proc4 values, in the order node_exporter's procfs names them.
    expect(text).toContain('node_nfs_requests_total{method="LayoutGet",proto="4"} 5\n');
    expect(text).toContain('node_nfs_requests_total{method="GetDeviceInfo",proto="4"} 9\n');
    expect(text).toContain('node_nfs_requests_total{method="Null",proto="2"} 2\n');
  });
});
