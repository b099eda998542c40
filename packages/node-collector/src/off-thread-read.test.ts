import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { readDirOffThread, readFileOffThread, type Outcome } from "./off-thread-read.ts";

const dir = mkdtempSync("/tmp/off-thread-read-");
afterAll(() => rmSync(dir, { recursive: true }));

function errorOf<T>(o: Outcome<T>): string {
  if (!("error" in o)) throw new Error("read succeeded");
  return o.error.message;
}

describe("readFileOffThread", () => {
  test("reads a regular file with its mtime", async () => {
    writeFileSync(`${dir}/ok.prom`, "a 1\nb 2 é\n");
    const r = await readFileOffThread(`${dir}/ok.prom`, 1024);
    if (!("ok" in r)) throw r.error;
    expect(r.ok.text).toBe("a 1\nb 2 é\n");
    expect(Math.abs(r.ok.mtimeMs - Date.now())).toBeLessThan(60_000);
  });

  test("a FIFO is refused at once, without waiting for a writer", async () => {
    expect(Bun.spawnSync(["mkfifo", `${dir}/fifo.prom`]).exitCode).toBe(0);
    expect(errorOf(await readFileOffThread(`${dir}/fifo.prom`, 1024))).toBe(`${dir}/fifo.prom is a FIFO, not a regular file; not read`);
  });

  test("links to /dev/zero and /dev/urandom are refused, not read", async () => {
    for (const dev of ["zero", "urandom"]) {
      symlinkSync(`/dev/${dev}`, `${dir}/${dev}.prom`);
      expect(errorOf(await readFileOffThread(`${dir}/${dev}.prom`, 64 << 20))).toContain("is a character device, not a regular file");
    }
  });

  test("a file over the cap is refused; one at the cap is read", async () => {
    writeFileSync(`${dir}/big.prom`, "x".repeat(1025));
    expect(errorOf(await readFileOffThread(`${dir}/big.prom`, 1024))).toBe(`${dir}/big.prom is larger than 1024 bytes; not read`);
    writeFileSync(`${dir}/fits.prom`, "x".repeat(1024));
    expect(await readFileOffThread(`${dir}/fits.prom`, 1024)).toMatchObject({ ok: { text: "x".repeat(1024) } });
  });

  test("a file whose size says nothing (procfs reports 0) is read on to its end, and stopped at the cap", async () => {
    const whole = await readFileOffThread("/proc/self/smaps", 64 << 20);
    if (!("ok" in whole)) throw whole.error;
    expect(whole.ok.text.length).toBeGreaterThan(8192);
    expect(errorOf(await readFileOffThread("/proc/self/smaps", 8192))).toContain("is larger than 8192 bytes");
  });

  test("callers while a read of the same path is in flight share it instead of starting another", async () => {
    writeFileSync(`${dir}/shared.prom`, "a 1\n");
    const first = readFileOffThread(`${dir}/shared.prom`, 1024);
    expect(readFileOffThread(`${dir}/shared.prom`, 1024)).toBe(first);
    await first;
    expect(readFileOffThread(`${dir}/shared.prom`, 1024)).not.toBe(first);
  });
});

describe("readDirOffThread", () => {
  test("lists a directory; a missing one is an ENOENT error", async () => {
    expect(await readDirOffThread(dir)).toMatchObject({ ok: expect.arrayContaining(["ok.prom"]) });
    const missing = await readDirOffThread(`${dir}/missing`);
    expect("error" in missing && missing.error.code).toBe("ENOENT");
  });
});
