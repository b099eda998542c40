import { describe, expect, test } from "bun:test";
import { nfsd } from "./nfsd.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("nfsd collector", () => {
  test("exposes /proc/net/rpc/nfsd counters and ignores lines newer kernels add", async () => {
    const text = await collectText(nfsd);
    expectGolden("nfsd", text);
    expect(text).toContain('node_nfsd_server_threads 16\n');
    expect(text).toContain('node_nfsd_rpc_errors_total{error="cInt"} 0\n');
    // proc4ops by kernel op number: OP_WRITE is 38 and OP_RELEASE_LOCKOWNER 39, after SETCLIENTID(_CONFIRM)
    expect(text).toContain('node_nfsd_requests_total{proto="4",method="Write"} 4\n');
    expect(text).toContain('node_nfsd_requests_total{proto="4",method="RelLockOwner"} 31025\n');
    expect(text).not.toContain('method="Null"');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("no /proc/net/rpc/nfsd yields nothing", async () => {
    expect(await collectText(nfsd, { paths: { procfs: "/nonexistent" } })).toBe("");
  });
});
