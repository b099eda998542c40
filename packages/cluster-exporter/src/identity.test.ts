import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { standinDir } from "../../../test/cluster/standins.ts";
import { IdentityResolver, parseColonRows } from "./identity.ts";

const bin = standinDir();
afterAll(() => bin.remove());

/** Far above any uid a test machine has. */
const NOBODY_UID = 3_999_999_001;

test("the real getent resolves uid 0 and gid 0 and says which ids do not exist", async () => {
  const r = new IdentityResolver({ path: "getent", timeoutSeconds: 5, ttlSeconds: 10 });
  const users = await r.resolveUsers([0, NOBODY_UID]);
  expect(users.get(0)).toEqual({ name: "root", gid: 0 });
  expect(users.get(NOBODY_UID)).toBeNull();
  expect((await r.resolveGroups([0])).get(0)).toBe("root");
});

test("parses passwd and group rows by their id field", () => {
  const rows = parseColonRows("alice:x:1001:100:Alice:/home/alice:/bin/sh\nbroken\nusers:x:100:alice,bob\n", 2);
  expect(rows.get(1001)?.[0]).toBe("alice");
  expect(rows.get(100)?.[0]).toBe("users");
  expect(rows.size).toBe(2);
});

test("asks only for ids not cached, in one call, and remembers misses for the TTL", async () => {
  const log = join(bin.dir, "getent-calls");
  const path = bin.script(
    "getent-count",
    `echo "$@" >> ${log}\nfor k in "$@"; do case $k in 1001) echo "alice:x:1001:100::/:/bin/sh";; 1002) echo "bob:x:1002:100::/:/bin/sh";; esac; done\nexit 2`,
  );
  let now = 0;
  const r = new IdentityResolver({ path, timeoutSeconds: 5, ttlSeconds: 10, now: () => now });
  const first = await r.resolveUsers([1001, 1002, 1003, 1001]);
  expect(first.get(1001)).toEqual({ name: "alice", gid: 100 });
  expect(first.get(1003)).toBeNull();
  now = 5_000;
  await r.resolveUsers([1001, 1003]);
  expect(readFileSync(log, "utf8")).toBe("passwd 1001 1002 1003\n");
  now = 11_000;
  await r.resolveUsers([1003]);
  expect(readFileSync(log, "utf8")).toBe("passwd 1001 1002 1003\npasswd 1003\n");
});

test("a getent that fails or hangs is an error", async () => {
  const failing = new IdentityResolver({ path: bin.script("getent-fail", "echo boom >&2; exit 1"), timeoutSeconds: 5, ttlSeconds: 10 });
  await expect(failing.resolveUsers([1])).rejects.toThrow("exited with status 1: boom");
  const hanging = new IdentityResolver({ path: bin.script("getent-hang", "sleep 30"), timeoutSeconds: 0.3, ttlSeconds: 10 });
  await expect(hanging.resolveGroups([1])).rejects.toThrow("no answer within 0.3s");
});
