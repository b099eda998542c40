import { expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { CpuDirs, parseCpuList } from "./cpus.ts";
import { fixturePaths } from "./testing/golden.ts";

test("CPU directories come in CPU order, cpu10 after cpu2, without cpufreq, cpuidle and the like", () => {
  const sysfs = mkdtempSync("/tmp/cpus-");
  for (const d of ["cpu10", "cpu2", "cpu0", "cpufreq", "cpuidle", "cpu1"]) mkdirSync(`${sysfs}/devices/system/cpu/${d}`, { recursive: true });
  expect(new CpuDirs({ ...fixturePaths, sysfs }).names()).toEqual(["cpu0", "cpu1", "cpu2", "cpu10"]);
  rmSync(sysfs, { recursive: true });
});

test("the listing is kept while the present mask reads the same, and taken again when it changes", () => {
  const sysfs = mkdtempSync("/tmp/cpus-");
  cpSync(fixturePaths.sysfs + "/devices/system/cpu", sysfs + "/devices/system/cpu", { recursive: true });
  const dirs = new CpuDirs({ ...fixturePaths, sysfs });
  writeFileSync(`${sysfs}/devices/system/cpu/present`, "0-1\n");
  expect(dirs.names()).toEqual(["cpu0", "cpu1"]);
  mkdirSync(`${sysfs}/devices/system/cpu/cpu2`);
  expect(dirs.names()).toEqual(["cpu0", "cpu1"]); // the mask says nothing was added
  writeFileSync(`${sysfs}/devices/system/cpu/present`, "0-2\n");
  expect(dirs.names()).toEqual(["cpu0", "cpu1", "cpu2"]);
  rmSync(sysfs, { recursive: true });
});

test("without a present mask (a fixture tree) the directory is listed every time", () => {
  const sysfs = mkdtempSync("/tmp/cpus-");
  mkdirSync(`${sysfs}/devices/system/cpu/cpu0`, { recursive: true });
  const dirs = new CpuDirs({ ...fixturePaths, sysfs });
  expect(dirs.names()).toEqual(["cpu0"]);
  mkdirSync(`${sysfs}/devices/system/cpu/cpu1`);
  expect(dirs.names()).toEqual(["cpu0", "cpu1"]);
  rmSync(sysfs, { recursive: true });
});

test("a cpulist reads as the kernel writes it; anything else throws", () => {
  expect(parseCpuList("0-2,5,7-8\n")).toEqual([0, 1, 2, 5, 7, 8]);
  expect(parseCpuList("\n")).toEqual([]);
  for (const bad of ["1-2-3", "a", "1-x", "-1"]) expect(() => parseCpuList(bad)).toThrow("invalid cpu list");
});
