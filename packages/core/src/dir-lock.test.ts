import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DirInUseError, LOCK_FILE, lockDir } from "./dir-lock.ts";

const base = mkdtempSync(join(tmpdir(), "dir-lock-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

test("a held directory is refused with its path and the holder's pid, and free again once released", () => {
  const dir = join(base, "store");
  const held = lockDir(dir, "test directory");
  expect(readFileSync(join(dir, LOCK_FILE), "latin1")).toBe(`${process.pid}\n`);
  // flock locks belong to open files, so a second open in this same process is refused like another process.
  let refusal: unknown;
  try {
    lockDir(dir, "test directory");
  } catch (e) {
    refusal = e;
  }
  expect(refusal).toBeInstanceOf(DirInUseError);
  expect((refusal as Error).message).toContain(`the test directory ${dir} is in use by another agent (pid ${process.pid})`);
  held.release();
  held.release();
  lockDir(dir, "test directory").release();
});

test("a directory that cannot be made is named with the reason", () => {
  const file = join(base, "plain-file");
  writeFileSync(file, "");
  expect(() => lockDir(join(file, "store"), "test directory")).toThrow(`cannot use the test directory ${join(file, "store")}: ENOTDIR`);
});
