import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { elementPattern, goGlob } from "./go-glob.ts";

test("element patterns read as Go's filepath.Match reads them", () => {
  const matches = (pattern: string, name: string) => elementPattern(pattern)!.test(name);
  expect(matches("*.prom", "a.prom")).toBe(true);
  expect(matches("*.prom", ".hidden.prom")).toBe(true); // Go's * matches a leading dot
  expect(matches("app-?", "app-1")).toBe(true);
  expect(matches("app-?", "app-10")).toBe(false);
  expect(matches("[a-c]x", "bx")).toBe(true);
  expect(matches("[^a-c]x", "bx")).toBe(false);
  expect(matches("[^a-c]x", "dx")).toBe(true);
  expect(matches("a\\*b", "a*b")).toBe(true);
  expect(matches("a\\*b", "axb")).toBe(false);
  expect(matches("a.b", "axb")).toBe(false);
  expect(matches("{a,b}", "{a,b}")).toBe(true); // no braces in Go
  for (const bad of ["[", "[]", "[-a]", "[a-]", "x\\"]) expect(elementPattern(bad)).toBeNull();
});

test("a glob lists its matches in name order across directories; no meta characters: the path if it exists", () => {
  const root = mkdtempSync("/tmp/go-glob-");
  for (const d of ["b/x", "a/x", "a/y", "c"]) mkdirSync(`${root}/${d}`, { recursive: true });
  writeFileSync(`${root}/a/file`, "");
  expect(goGlob(`${root}/*/x`)).toEqual([`${root}/a/x`, `${root}/b/x`]);
  expect(goGlob(`${root}/a/*`)).toEqual([`${root}/a/file`, `${root}/a/x`, `${root}/a/y`]);
  expect(goGlob(`${root}/c`)).toEqual([`${root}/c`]);
  expect(goGlob(`${root}/missing`)).toEqual([]);
  expect(goGlob(`${root}/[`)).toBeNull();
  rmSync(root, { recursive: true });
});
