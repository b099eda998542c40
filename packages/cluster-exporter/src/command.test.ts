import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { standinDir } from "../../../test/cluster/standins.ts";
import { CommandError, runCommand } from "./command.ts";

const bin = standinDir();
afterAll(() => bin.remove());

function alive(pid: number): boolean {
  // A killed process may linger as a zombie until its new parent reaps it; that counts as dead.
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  return !/\) Z /.test(readFileSync(stat, "utf8"));
}

test("collects stdout, stderr and the exit status", async () => {
  const p = bin.script("talk", 'echo "out $1"; echo err >&2; exit 3');
  expect(await runCommand([p, "x"], { timeoutSeconds: 5 })).toEqual({ stdout: "out x\n", stderr: "err\n", exitCode: 3 });
});

test("a missing program is a CommandError saying not found", async () => {
  const err = await runCommand([join(bin.dir, "nope")], { timeoutSeconds: 5 }).catch((e) => e);
  expect(err).toBeInstanceOf(CommandError);
  expect(err.message).toContain("not found");
});

test("an overrunning child is killed with its children, and the call returns at the timeout", async () => {
  const pidFile = join(bin.dir, "sleeper.pid");
  const p = bin.script("hang", `sleep 30 & echo $! > ${pidFile}; wait`);
  const start = performance.now();
  const err = await runCommand([p], { timeoutSeconds: 0.5 }).catch((e) => e);
  const took = performance.now() - start;
  expect(err).toBeInstanceOf(CommandError);
  expect(err.message).toContain("no answer within 0.5s");
  expect(took).toBeLessThan(5000);
  const sleeper = Number(readFileSync(pidFile, "utf8"));
  await Bun.sleep(100);
  expect(alive(sleeper)).toBe(false);
});

test("a child that exits but leaves a descendant holding stdout still ends at the timeout", async () => {
  const p = bin.script("orphan", "sleep 30 &\necho started");
  const err = await runCommand([p], { timeoutSeconds: 0.5 }).catch((e) => e);
  expect(err).toBeInstanceOf(CommandError);
});
