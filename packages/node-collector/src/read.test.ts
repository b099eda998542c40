import { describe, expect, test } from "bun:test";
import { deviceFilter, eachKeyValue, fields, lines, listDir, listSubdirs, parseEnvFile, readAttr, readNumber, readText, rootfsPath } from "./read.ts";
import { DEFAULT_PATHS } from "./read.ts";

describe("procfs/sysfs readers", () => {
  test("fields splits on runs of spaces and tabs", () => {
    expect(fields("  cpu0  1\t2   3 \n")).toEqual(["cpu0", "1", "2", "3"]);
    expect(fields("")).toEqual([]);
  });

  test("lines drops only the trailing empty line", () => {
    expect(lines("a\n\nb\n")).toEqual(["a", "", "b"]);
  });

  test("eachKeyValue reads meminfo-style lines with and without units", () => {
    const seen: [string, number, string][] = [];
    eachKeyValue("MemTotal:       16 kB\nHugePages_Total:       0\nActive(anon):  3 kB\nbad line\nKey: notanumber\n", (k, v, u) => seen.push([k, v, u]));
    expect(seen).toEqual([["MemTotal", 16, "kB"], ["HugePages_Total", 0, ""], ["Active(anon)", 3, "kB"]]);
  });

  test("parseEnvFile unquotes os-release values", () => {
    const env = parseEnvFile(`# c\nNAME="Debian GNU/Linux"\nID=debian\nVERSION='12 (bookworm)'\nQ="say \\"hi\\""\n`);
    expect(env.get("NAME")).toBe("Debian GNU/Linux");
    expect(env.get("ID")).toBe("debian");
    expect(env.get("VERSION")).toBe("12 (bookworm)");
    expect(env.get("Q")).toBe('say "hi"');
  });

  test("deviceFilter: include wins, else exclude, else everything", () => {
    expect(deviceFilter(/^eth/, /^eth0$/)("eth0")).toBe(true);
    expect(deviceFilter(undefined, /^lo$/)("lo")).toBe(false);
    expect(deviceFilter(undefined, undefined)("lo")).toBe(true);
  });

  test("missing files read as null; sysfs attribute errors too", () => {
    expect(readText("/nonexistent/file")).toBeNull();
    expect(readAttr("/nonexistent/attr")).toBeNull();
    expect(readNumber("/proc/self/comm")).toBeNull();
    expect(readNumber("/proc/sys/kernel/pid_max")).toBeGreaterThan(0);
  });

  test("rootfsPath prefixes --path.rootfs", () => {
    expect(rootfsPath(DEFAULT_PATHS, "/etc/os-release")).toBe("/etc/os-release");
    expect(rootfsPath({ ...DEFAULT_PATHS, rootfs: "/host/" }, "/etc/os-release")).toBe("/host/etc/os-release");
  });
});

describe("missing-path memory", () => {
  test("a path that appears after being missing is read on the next call", async () => {
    const { mkdtempSync, writeFileSync, rmSync, mkdirSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/read-missing-");
    const file = dir + "/later";
    expect(readText(file)).toBeNull();
    expect(readText(file)).toBeNull();
    writeFileSync(file, "now\n");
    expect(readText(file)).toBe("now\n");
    rmSync(file);
    expect(readAttr(file)).toBeNull();
    writeFileSync(file, "again\n");
    expect(readAttr(file)).toBe("again");
    const sub = dir + "/sub";
    expect(listDir(sub)).toEqual([]);
    mkdirSync(sub);
    writeFileSync(sub + "/x", "");
    expect(listDir(sub)).toEqual(["x"]);
    rmSync(dir, { recursive: true });
  });

  test("listSubdirs returns the subdirectories beside attribute files, and [] for a missing directory", async () => {
    const { mkdtempSync, writeFileSync, rmSync, mkdirSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/read-subdirs-");
    expect(listSubdirs(dir + "/absent")).toEqual([]);
    writeFileSync(dir + "/total_bytes", "1\n");
    mkdirSync(dir + "/single");
    mkdirSync(dir + "/dup");
    expect(listSubdirs(dir).sort()).toEqual(["dup", "single"]);
    rmSync(dir, { recursive: true });
  });
});
