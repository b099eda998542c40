import { describe, expect, test } from "bun:test";
import { readdirSync, readlinkSync, realpathSync } from "node:fs";
import { pollHeldFile, readPseudoFile } from "./pseudo-files.ts";

/**
 * Descriptors open on `path`, found by what they point to: counting all of them would also count whatever
 * another test in this process opens or closes meanwhile.
 */
function fdsOn(path: string): string[] {
  const target = realpathSync(path.replace("/proc/self/", `/proc/${process.pid}/`));
  return readdirSync("/proc/self/fd").filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === target;
    } catch {
      return false; // the directory listing's own descriptor, closed by now
    }
  });
}

describe("held descriptors", () => {
  const rchar = (text: string) => Number(/^rchar: (\d+)$/m.exec(text)?.[1]);

  test("a procfs file is kept open after its first read, and each later read sees fresh content", async () => {
    const first = readPseudoFile("/proc/self/io");
    const held = fdsOn("/proc/self/io");
    expect(held.length).toBe(1);
    const second = readPseudoFile("/proc/self/io");
    const third = readPseudoFile("/proc/self/io");
    expect(fdsOn("/proc/self/io")).toEqual(held);
    // rchar counts the bytes this process has read, the earlier reads of this file among them.
    expect(rchar(second)).toBeGreaterThan(rchar(first));
    expect(rchar(third)).toBeGreaterThan(rchar(second));
  });

  test("keepOpen: false leaves no descriptor behind", async () => {
    expect(readPseudoFile("/proc/self/limits", false)).toContain("Max open files");
    expect(fdsOn("/proc/self/limits")).toEqual([]);
  });

  test("a regular file is opened afresh, so one replaced by rename is read anew", async () => {
    const { mkdtempSync, writeFileSync, renameSync, rmSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/read-held-");
    writeFileSync(dir + "/os-release", "ID=old\n");
    expect(readPseudoFile(dir + "/os-release")).toBe("ID=old\n");
    expect(fdsOn(dir + "/os-release")).toEqual([]);
    writeFileSync(dir + "/next", "ID=new\n");
    renameSync(dir + "/next", dir + "/os-release");
    expect(readPseudoFile(dir + "/os-release")).toBe("ID=new\n");
    rmSync(dir, { recursive: true });
  });
});

describe("attributes that fail for their device's state", () => {
  test("stay held: loopback's speed fails with EINVAL on every read, through one descriptor kept open", async () => {
    const path = "/sys/class/net/lo/speed";
    // Other tests in this process may have read it already; what counts is the descriptors open on it.
    const heldOn = () => fdsOn(path);
    const speed = () => {
      try {
        return readPseudoFile(path);
      } catch (e) {
        return (e as NodeJS.ErrnoException).code;
      }
    };
    expect(speed()).toBe("EINVAL");
    const first = heldOn();
    expect(first).toHaveLength(1);
    for (let i = 0; i < 5; i++) expect(speed()).toBe("EINVAL");
    expect(heldOn()).toEqual(first);
  });
});

describe("pollHeldFile", () => {
  const POLLPRI = 0x2;

  test("answers null for a path that is not held: never read, or a regular file", async () => {
    const { mkdtempSync, writeFileSync, rmSync } = await import("node:fs");
    expect(pollHeldFile("/proc/self/mounts", POLLPRI)).toBeNull();
    const dir = mkdtempSync("/tmp/poll-held-");
    writeFileSync(dir + "/mountinfo", "");
    readPseudoFile(dir + "/mountinfo");
    expect(pollHeldFile(dir + "/mountinfo", POLLPRI)).toBeNull();
    rmSync(dir, { recursive: true });
  });

  test("a held mount table that has not changed raises no POLLPRI", () => {
    readPseudoFile("/proc/self/mountinfo");
    const events = pollHeldFile("/proc/self/mountinfo", POLLPRI);
    expect(events).not.toBeNull();
    expect(events! & POLLPRI).toBe(0);
  });
});

describe("files that are not regular", () => {
  test("a FIFO is refused at once, not waited on for a writer, and leaves no descriptor open", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/read-fifo-");
    expect(Bun.spawnSync(["mkfifo", dir + "/stat"]).exitCode).toBe(0);
    // A blocking open would hang this test (and the whole agent) until a writer opened the FIFO.
    expect(() => readPseudoFile(dir + "/stat")).toThrow(`${dir}/stat is a FIFO, not a regular file`);
    expect(fdsOn(dir + "/stat")).toEqual([]);
    rmSync(dir, { recursive: true });
  });

  test("a link to /dev/zero or /dev/urandom is refused instead of read without end", async () => {
    const { mkdtempSync, symlinkSync, rmSync } = await import("node:fs");
    const dir = mkdtempSync("/tmp/read-dev-");
    for (const dev of ["/dev/zero", "/dev/urandom"]) {
      symlinkSync(dev, dir + "/os-release");
      expect(() => readPseudoFile(dir + "/os-release")).toThrow("is a character device, not a regular file");
      rmSync(dir + "/os-release");
    }
    rmSync(dir, { recursive: true });
  });
});
