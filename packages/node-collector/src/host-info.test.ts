import { expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readHostInfo } from "./host-info.ts";
import { DEFAULT_PATHS } from "./read.ts";

test("the live host: uptime since btime, the kernel release uname reports, a CPU model", () => {
  const info = readHostInfo(DEFAULT_PATHS);
  expect(info.uptimeSeconds).toBeGreaterThan(0);
  expect(info.kernel).toBe(require("node:os").release());
  expect(info.cpuModel.length).toBeGreaterThan(0);
});

test("a procfs tree: ARM's Processor line, and what is missing is unknown rather than an error", () => {
  const dir = mkdtempSync(join(tmpdir(), "host-info-"));
  try {
    writeFileSync(join(dir, "stat"), "cpu  1 2 3\nbtime 1000\n");
    writeFileSync(join(dir, "cpuinfo"), "Processor\t: ARMv7 Processor rev 4 (v7l)\nprocessor\t: 0\n");
    const info = readHostInfo({ ...DEFAULT_PATHS, procfs: dir }, 4600);
    expect(info).toEqual({ uptimeSeconds: 3600, kernel: "", cpuModel: "ARMv7 Processor rev 4 (v7l)" });
    mkdirSync(join(dir, "sys/kernel"), { recursive: true });
    writeFileSync(join(dir, "sys/kernel/osrelease"), "6.1.0-18-amd64\n");
    rmSync(join(dir, "stat"));
    expect(readHostInfo({ ...DEFAULT_PATHS, procfs: dir }, 4600)).toMatchObject({ uptimeSeconds: NaN, kernel: "6.1.0-18-amd64" });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
