import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { readCapped, readTextfiles } from "./textfile-worker.ts";
import { TextfileThreads } from "./textfile-thread.ts";

const dir = mkdtempSync("/tmp/textfile-worker-");
afterAll(() => rmSync(dir, { recursive: true }));

describe("readCapped", () => {
  test("reads a regular file as UTF-8 with its mtime", () => {
    writeFileSync(`${dir}/ok`, "a 1\nb 2 é\n");
    const r = readCapped(`${dir}/ok`, 1024);
    expect(r.text).toBe("a 1\nb 2 é\n");
    expect(Math.abs(r.mtimeMs - Date.now())).toBeLessThan(60_000);
  });

  test("a FIFO is refused at once, without waiting for a writer", () => {
    expect(Bun.spawnSync(["mkfifo", `${dir}/fifo`]).exitCode).toBe(0);
    expect(() => readCapped(`${dir}/fifo`, 1024)).toThrow(`${dir}/fifo is a FIFO, not a regular file; not read`);
  });

  test("links to /dev/zero and /dev/urandom are refused, not read", () => {
    for (const dev of ["zero", "urandom"]) {
      symlinkSync(`/dev/${dev}`, `${dir}/${dev}`);
      expect(() => readCapped(`${dir}/${dev}`, 64 << 20)).toThrow("is a character device, not a regular file");
    }
  });

  test("a file over the cap is refused; one at the cap is read", () => {
    writeFileSync(`${dir}/big`, "x".repeat(1025));
    expect(() => readCapped(`${dir}/big`, 1024)).toThrow(`${dir}/big is larger than 1024 bytes; not read`);
    writeFileSync(`${dir}/fits`, "x".repeat(1024));
    expect(readCapped(`${dir}/fits`, 1024).text).toBe("x".repeat(1024));
  });

  test("a file whose size says nothing (procfs reports 0) is read on to its end, and stopped at the cap", () => {
    expect(readCapped("/proc/self/smaps", 64 << 20).text.length).toBeGreaterThan(8192);
    expect(() => readCapped("/proc/self/smaps", 8192)).toThrow("is larger than 8192 bytes");
  });
});

describe("readTextfiles", () => {
  test("every *.prom file in name order, each with its text or its error; a missing directory is an error", () => {
    const d = `${dir}/listing`;
    mkdirSync(d);
    writeFileSync(`${d}/b.prom`, "b 1\n");
    writeFileSync(`${d}/a.prom`, "a 1\n");
    writeFileSync(`${d}/notes.txt`, "not a textfile");
    symlinkSync("/dev/zero", `${d}/c.prom`);
    const reply = readTextfiles(d + "/", 1024);
    if ("error" in reply) throw new Error(reply.error);
    expect(reply.files.map((f) => [f.path, "text" in f ? f.text : "error"])).toEqual([
      [`${d}/a.prom`, "a 1\n"],
      [`${d}/b.prom`, "b 1\n"],
      [`${d}/c.prom`, "error"],
    ]);
    expect(readTextfiles(`${dir}/missing`, 1024)).toEqual({ error: expect.stringContaining("ENOENT") });
  });
});

describe("TextfileThreads", () => {
  test("answers from the directory's worker; callers while a reading is in flight share it", async () => {
    const d = `${dir}/threaded`;
    mkdirSync(d);
    writeFileSync(`${d}/a.prom`, "a 1\n");
    const threads = new TextfileThreads();
    const first = threads.read(d, 1024);
    expect(threads.read(d, 1024)).toBe(first);
    expect(await first).toMatchObject([{ files: [{ path: `${d}/a.prom`, text: "a 1\n" }] }]);
    expect(threads.read(d, 1024)).not.toBe(first);
  });
});
