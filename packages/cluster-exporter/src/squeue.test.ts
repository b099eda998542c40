import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { standinDir } from "../../../test/cluster/standins.ts";
import { parseSqueue, SqueueSource } from "./squeue.ts";

const bin = standinDir();
afterAll(() => bin.remove());

test("parses %A %a %u lines, skipping and counting malformed ones", () => {
  const text = ["35689911 cbm bob", "  35676304   panda dave  ", "", "35689900_[12-40] cbm bob", "garbage", "1 a b c", "7 hades alice"].join("\n");
  const r = parseSqueue(text);
  expect([...r.jobs]).toEqual([
    ["35689911", { account: "cbm", user: "bob" }],
    ["35676304", { account: "panda", user: "dave" }],
    ["7", { account: "hades", user: "alice" }],
  ]);
  expect(r.badLines).toBe(3);
});

test("empty output is an empty queue, not an error", async () => {
  const src = new SqueueSource({ path: bin.script("sq-empty", "exit 0"), timeoutSeconds: 5, ttlSeconds: 0 });
  expect((await src.get()).jobs.size).toBe(0);
});

test("passes -ah -o '%A %a %u' and reuses the answer for the TTL", async () => {
  const log = join(bin.dir, "calls");
  const path = bin.script("sq-count", `echo "$@" >> ${log}\necho "5 physics alice"`);
  let now = 1_000_000;
  const src = new SqueueSource({ path, timeoutSeconds: 5, ttlSeconds: 10, now: () => now });
  expect((await src.get()).jobs.get("5")).toEqual({ account: "physics", user: "alice" });
  now += 9_000;
  await Promise.all([src.get(), src.get()]);
  expect(readFileSync(log, "utf8")).toBe("-ah -o %A %a %u\n");
  now += 2_000;
  await src.get();
  expect(readFileSync(log, "utf8").split("\n").length - 1).toBe(2);
});

test("a failing squeue is an error naming its status and message, and is not cached", async () => {
  const flag = join(bin.dir, "fixed");
  const path = bin.script("sq-fail", `[ -e ${flag} ] && { echo "9 chem bob"; exit 0; }\necho "slurm_load_jobs error: Unable to contact slurm controller" >&2; exit 1`);
  const src = new SqueueSource({ path, timeoutSeconds: 5, ttlSeconds: 60 });
  const err = await src.get().catch((e) => e as Error);
  expect(err).toBeInstanceOf(Error);
  expect((err as Error).message).toContain("status 1: slurm_load_jobs error: Unable to contact slurm controller");
  await Bun.write(flag, "");
  expect((await src.get()).jobs.get("9")).toEqual({ account: "chem", user: "bob" });
});

test("output with no usable line at all is an error, not an empty queue", async () => {
  const src = new SqueueSource({ path: bin.script("sq-garbage", "echo '<html>oops</html>'; echo 'x y'"), timeoutSeconds: 5, ttlSeconds: 0 });
  await expect(src.get()).rejects.toThrow('printed no line of the form "<jobid> <account> <user>"');
});
