import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nfsd } from "./nfsd.ts";
import { collectText, fixturePaths } from "../testing/golden.ts";

describe("nfsd collector", () => {
  test("exposes /proc/net/rpc/nfsd counters", async () => {
    const text = await collectText(nfsd);
    expect(text).toContain('node_nfsd_server_threads 16\n');
    expect(text).toContain('node_nfsd_rpc_errors_total{error="cInt"} 0\n');
    // proc4ops by kernel op number: OP_WRITE is 38 and OP_RELEASE_LOCKOWNER 39, after SETCLIENTID(_CONFIRM)
    expect(text).toContain('node_nfsd_requests_total{method="Write",proto="4"} 4\n');
    // node_exporter's procfs reads these two out of proc4ops too.
    expect(text).toContain('node_nfsd_requests_total{method="SetClientID",proto="4"} 3\n');
    expect(text).toContain('node_nfsd_requests_total{method="SetClientIDConfirm",proto="4"} 2\n');
    expect(text).toContain('node_nfsd_requests_total{method="RelLockOwner",proto="4"} 31025\n');
    expect(text).not.toContain('method="Null"');
  });

  test("the wdeleg_getattr line (kernel 6.11+) is WdelegGetattr; without it, 0, as node_exporter reports it", async () => {
    expect(await collectText(nfsd)).toContain('node_nfsd_requests_total{method="WdelegGetattr",proto="4"} 0\n');
    const proc = mkdtempSync(join(tmpdir(), "nfsd-"));
    try {
      mkdirSync(join(proc, "net", "rpc"), { recursive: true });
      // Not in the shared fixture: Debian's node_exporter 1.5, the oracle for that tree, rejects the line.
      const base = readFileSync(join(fixturePaths.procfs, "net", "rpc", "nfsd"), "utf8");
      writeFileSync(join(proc, "net", "rpc", "nfsd"), base + "wdeleg_getattr 16\n");
      expect(await collectText(nfsd, { paths: { procfs: proc } })).toContain('node_nfsd_requests_total{method="WdelegGetattr",proto="4"} 16\n');
    } finally {
      rmSync(proc, { recursive: true, force: true });
    }
  });
});
