import { describe, expect, test } from "bun:test";
import { tmpdir } from "node:os";
import { createLogger } from "@agent/core";
import { StorageFailure, StorageHealth } from "./storage-failure.ts";

/** An error shaped as lmdb-js reports a failed write: the errno as `code`. */
function lmdbError(code: number, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe("StorageFailure.from", () => {
  const dir = tmpdir();
  test("ENOSPC, EDQUOT and LMDB's map-full are a full store; EIO with room left is a failing one", () => {
    expect(StorageFailure.from(lmdbError(28, "No space left on device"), dir).fault).toBe("full");
    expect(StorageFailure.from(lmdbError(122, "Disk quota exceeded"), dir).fault).toBe("full");
    expect(StorageFailure.from(lmdbError(-30792, "MDB_MAP_FULL"), dir).fault).toBe("full");
    expect(StorageFailure.from(lmdbError(5, "Input/output error"), dir).fault).toBe("failing");
    expect(StorageFailure.from(lmdbError(-30796, "MDB_CORRUPTED"), dir).fault).toBe("other");
    expect(StorageFailure.from("not an error", dir).message).toBe("not an error");
  });
});

describe("StorageHealth", () => {
  test("answers 507 or 503, counts every refusal, logs once a minute, and retries after a minute", () => {
    const lines: string[] = [];
    let now = 1_000_000;
    const health = new StorageHealth(createLogger({ write: (l) => lines.push(l) }), () => 0, () => now);
    expect(health.writable()).toBe(true);

    const first = health.failed(StorageFailure.from(lmdbError(28, "No space left on device"), tmpdir()));
    expect([first.status, first.reason]).toEqual([507, "storage_full"]);
    expect(first.message).toStartWith("storage full: ");
    expect(health.writable()).toBe(false);
    for (let i = 0; i < 5; i++) {
      now += 1000;
      expect(health.refusal().status).toBe(507);
    }
    expect(health.errors.get("full")).toBe(6);
    expect(lines.filter((l) => l.includes("storage write failed"))).toHaveLength(1);

    now += 60_000;
    expect(health.writable()).toBe(true);
    const failing = health.failed(StorageFailure.from(lmdbError(5, "Input/output error"), tmpdir()));
    expect([failing.status, failing.reason]).toEqual([503, "storage_failing"]);
    expect(lines.filter((l) => l.includes("storage write failed"))).toHaveLength(2);
    expect(lines.at(-1)).toContain("refused=6");

    health.succeeded();
    expect(health.writable()).toBe(true);
    expect(lines.at(-1)).toContain('msg="storage writable again"');
    expect(health.errors.get("failing")).toBe(1);
  });

  test("retries at once when the file system has more room than at the failure", () => {
    let free = 4096;
    const health = new StorageHealth(createLogger({ write: () => {} }), () => free);
    health.failed(StorageFailure.from(lmdbError(28, "No space left on device"), tmpdir()));
    expect(health.writable()).toBe(false);
    free = 0;
    expect(health.writable()).toBe(false);
    free = 1 << 20;
    expect(health.writable()).toBe(true);
  });

  test("an unreachable etcd answers 503 naming the cause and is tried again at once", () => {
    const health = new StorageHealth(createLogger({ write: () => {} }), () => undefined);
    const refused = health.failed(new StorageFailure("unreachable", "no etcd endpoint answers (http://127.0.0.1:2379: connection refused)"));
    expect([refused.status, refused.reason]).toEqual([503, "storage_unreachable"]);
    expect(refused.message).toStartWith("storage unreachable: etcd (no etcd endpoint answers (http://127.0.0.1:2379: connection refused))");
    expect(health.writable()).toBe(true);
    expect(health.errors.get("unreachable")).toBe(1);
  });
});
