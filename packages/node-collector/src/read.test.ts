import { describe, expect, test } from "bun:test";
import { deviceFilter, field, goInt, integerAt, KeyedLines, fields, lines, listDir, listSubdirs, parseEnvFile, readAttr, readNumber, readText, rootfsPath } from "./read.ts";
import { DEFAULT_PATHS } from "./read.ts";

describe("procfs/sysfs readers", () => {
  test("field picks one field as fields would, or undefined past the last", () => {
    const line = "   7       0 loop0 321 0\t13680";
    fields(line).forEach((f, i) => expect(field(line, i)).toBe(f));
    expect(field(line, 6)).toBeUndefined();
    expect(field("   ", 0)).toBeUndefined();
  });

  test("fields splits on runs of spaces and tabs", () => {
    expect(fields("  cpu0  1\t2   3 \n")).toEqual(["cpu0", "1", "2", "3"]);
    expect(fields("")).toEqual([]);
  });

  test("lines drops only the trailing empty line", () => {
    expect(lines("a\n\nb\n")).toEqual(["a", "", "b"]);
  });

  test("integerAt reads digits in place, after blanks, with a sign; NaN where there are none", () => {
    const text = "MemTotal:       16 kB\nX: -3\nY: kB\n";
    expect(integerAt(text, 9, 21)).toBe(16);
    expect(integerAt(text, 24, 27)).toBe(-3);
    expect(integerAt(text, 30, 33)).toBeNaN();
    const big = "18446744073709551615";
    expect(integerAt(big, 0, big.length)).toBe(Number(big));
  });

  test("KeyedLines gives the same lines on a repeat read and follows a file whose keys changed", () => {
    const colon = (t: string, start: number, end: number) => {
      const at = t.indexOf(":", start);
      return at < end ? at : -1;
    };
    const planned: string[] = [];
    const layout = new KeyedLines(colon, (key) => (planned.push(key), key === "Skip" ? null : key));
    const read = (text: string) => {
      const seen: [string, number][] = [];
      layout.each(text, (key, at, end) => seen.push([key, integerAt(text, at, end)]));
      return seen;
    };
    const v1 = "MemTotal: 16 kB\nSkip: 1\nHugePages_Total: 0\n";
    expect(read(v1)).toEqual([["MemTotal", 16], ["HugePages_Total", 0]]);
    expect(read("MemTotal: 17 kB\nSkip: 2\nHugePages_Total: 5\n")).toEqual([["MemTotal", 17], ["HugePages_Total", 5]]);
    expect(planned).toEqual(["MemTotal", "Skip", "HugePages_Total"]); // the repeat asked for no plan
    // A field added in the middle, one renamed, and one more at the end: each value stays with its own key.
    expect(read("MemTotal: 18 kB\nNew: 7 kB\nSkip: 3\nHugePages_Free: 6\nLast: 9\n")).toEqual([["MemTotal", 18], ["New", 7], ["HugePages_Free", 6], ["Last", 9]]);
    expect(read("MemTotal: 18 kB\n")).toEqual([["MemTotal", 18]]);
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

describe("goInt", () => {
  test("reads integers as Go's strconv.ParseInt with base 0", () => {
    expect(goInt("60")).toBe(60);
    expect(goInt("-3")).toBe(-3);
    expect(goInt("0")).toBe(0);
    expect(goInt("0x1F")).toBe(31);
    expect(goInt("0644")).toBe(420);
    expect(goInt("0o17")).toBe(15);
    expect(goInt("0b101")).toBe(5);
    expect(goInt("12a")).toBeNaN();
    expect(goInt("")).toBeNaN();
    expect(goInt("09")).toBeNaN();
  });
});
