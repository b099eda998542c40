import { describe, expect, test } from "bun:test";
import { NoDataError } from "../collector.ts";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nfsd } from "./nfsd.ts";
import { collectText, expectGolden, fixturePaths, promtoolProblems } from "../testing/golden.ts";

describe("nfsd collector", () => {
  test("exposes /proc/net/rpc/nfsd counters", async () => {
    const text = await collectText(nfsd);
    expectGolden("nfsd", text);
    expect(text).toContain('node_nfsd_server_threads 16\n');
    expect(text).toContain('node_nfsd_rpc_errors_total{error="cInt"} 0\n');
    // proc4ops by kernel op number: OP_WRITE is 38 and OP_RELEASE_LOCKOWNER 39, after SETCLIENTID(_CONFIRM)
    expect(text).toContain('node_nfsd_requests_total{method="Write",proto="4"} 4\n');
    expect(text).toContain('node_nfsd_requests_total{method="RelLockOwner",proto="4"} 31025\n');
    expect(text).not.toContain('method="Null"');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("lines newer kernels add (wdeleg_getattr) are ignored", async () => {
    const proc = mkdtempSync(join(tmpdir(), "nfsd-"));
    try {
      mkdirSync(join(proc, "net", "rpc"), { recursive: true });
      const base = readFileSync(join(fixturePaths.procfs, "net", "rpc", "nfsd"), "utf8");
      writeFileSync(join(proc, "net", "rpc", "nfsd"), base + "wdeleg_getattr 7\n");
      expect(await collectText(nfsd, { paths: { procfs: proc } })).toBe(await collectText(nfsd));
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });

  test("no /proc/net/rpc/nfsd yields nothing; node_exporter says no data (success 0)", async () => {
    await expect(collectText(nfsd, { paths: { procfs: "/nonexistent" } })).rejects.toThrow(NoDataError);
  });
});
