import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { NoDataError } from "../collector.ts";
import { pressure } from "./pressure.ts";
import { canFailReads, whileReadsFail } from "../testing/errno-file.ts";
import { collectText, fixturePaths } from "../testing/golden.ts";

describe("pressure collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(pressure);
    expect(text).toMatch(/^node_pressure_cpu_waiting_seconds_total [0-9.e+-]+$/m);
    // the fixture has Linux 6.1's /proc/pressure/irq, which node_exporter 1.8.2 does not read
    expect(text).not.toContain("irq");
  });

  test("cpu pressure is its waiting time only, as node_exporter reads it", async () => {
    expect(await collectText(pressure)).not.toContain("node_pressure_cpu_stalled_seconds_total");
  });

  test("a file without the line node_exporter reads (memory's full) is no data, as in 1.8.2", async () => {
    const procfs = mkdtempSync("/tmp/pressure-");
    cpSync(`${fixturePaths.procfs}/pressure`, `${procfs}/pressure`, { recursive: true });
    writeFileSync(`${procfs}/pressure/memory`, "some avg10=0.00 avg60=0.00 avg300=0.00 total=12345\n");
    await expect(collectText(pressure, { paths: { procfs } })).rejects.toThrow(NoDataError);
    rmSync(procfs, { recursive: true });
  });

  test.skipIf(!canFailReads())("PSI disabled (psi=0: reads answer EOPNOTSUPP) is no data, as in 1.8.2", async () => {
    const procfs = mkdtempSync("/tmp/pressure-");
    cpSync(`${fixturePaths.procfs}/pressure`, `${procfs}/pressure`, { recursive: true });
    try {
      await whileReadsFail(`${procfs}/pressure/cpu`, "EOPNOTSUPP", async () => {
        await expect(collectText(pressure, { paths: { procfs } })).rejects.toThrow(NoDataError);
      });
    } finally {
      rmSync(procfs, { recursive: true });
    }
  });
});
