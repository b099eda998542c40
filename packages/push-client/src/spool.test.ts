import { afterEach, expect, test } from "bun:test";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Spool } from "./spool.ts";

let dir = "";
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("newest push wins per group; groups and gateways are kept apart", async () => {
  dir = mkdtempSync(join(tmpdir(), "spool-"));
  const spool = new Spool(join(dir, "nested"));
  await spool.save({ gateway: "http://a", path: "/metrics/job/x", method: "PUT", body: "old 1\n", spooledAt: 1 });
  await spool.save({ gateway: "http://a", path: "/metrics/job/y", method: "POST", body: "y 1\n", spooledAt: 2 });
  await spool.save({ gateway: "http://b", path: "/metrics/job/x", method: "PUT", body: "b 1\n", spooledAt: 3 });
  await spool.save({ gateway: "http://a", path: "/metrics/job/x", method: "PUT", body: "new 1\n", spooledAt: 4 });
  const a = await spool.list("http://a");
  expect(a.map((e) => [e.record.path, e.record.body])).toEqual([
    ["/metrics/job/y", "y 1\n"],
    ["/metrics/job/x", "new 1\n"],
  ]);
  await spool.drop("http://a", "/metrics/job/x");
  expect((await spool.list("http://a")).map((e) => e.record.path)).toEqual(["/metrics/job/y"]);
  await spool.remove((await spool.list("http://b"))[0]!);
  expect(await spool.list("http://b")).toEqual([]);
  expect(readdirSync(join(dir, "nested")).filter((f) => f.endsWith(".tmp"))).toEqual([]);
});

test("a missing directory is an empty spool", async () => {
  dir = mkdtempSync(join(tmpdir(), "spool-"));
  expect(await new Spool(join(dir, "none")).list("http://a")).toEqual([]);
});
