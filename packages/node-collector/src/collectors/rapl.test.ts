import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { NoDataError } from "../collector.ts";
import { rapl } from "./rapl.ts";
import { collectText, expectGolden, fixturePaths, promtoolProblems } from "../testing/golden.ts";

/** The path label holds the sysfs path in use; golden files show it as /sys. */
async function collect(config?: { enableZoneLabel: boolean }): Promise<string> {
  return (await collectText(rapl, { config })).replaceAll(fixturePaths.sysfs, "/sys");
}

describe("rapl collector", () => {
  test("exposes one joules counter family per zone name, indexed", async () => {
    const text = await collect();
    expectGolden("rapl", text);
    expect(text).toContain('node_rapl_package_joules_total{index="1",path="/sys/class/powercap/intel-rapl:1"} 230182.744871\n');
    expect(text).toContain('node_rapl_dram_joules_total{index="1",path="/sys/class/powercap/intel-rapl:1:0"} 31544.811409\n');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("--collector.rapl.enable-zone-label folds zones into one family", async () => {
    const text = await collect({ enableZoneLabel: true });
    expect(text).toContain('node_rapl_joules_total{index="0",path="/sys/class/powercap/intel-rapl:0:0",rapl_zone="core"} 118821.284256\n');
    expect(text).not.toContain("node_rapl_package_joules_total");
  });

  test("errors as node_exporter 1.8.2 sorts them: a zone without max_energy_range_uj is no data, a bad energy_uj fails", async () => {
    const sysfs = mkdtempSync("/tmp/rapl-");
    const zone = `${sysfs}/class/powercap/intel-rapl:0`;
    const fresh = () => {
      rmSync(`${sysfs}/class`, { recursive: true, force: true });
      cpSync(`${fixturePaths.sysfs}/class/powercap`, `${sysfs}/class/powercap`, { recursive: true });
    };
    const scrape = () => collectText(rapl, { paths: { sysfs } });
    fresh();
    rmSync(`${zone}/max_energy_range_uj`);
    await expect(scrape()).rejects.toThrow(NoDataError);
    fresh();
    writeFileSync(`${zone}/energy_uj`, "12.5\n");
    await expect(scrape()).rejects.toThrow("invalid syntax");
    fresh();
    rmSync(`${zone}/energy_uj`);
    symlinkSync("/sys/class/net/lo/speed", `${zone}/energy_uj`); // a real kernel EINVAL
    const failure = await scrape().catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(NoDataError);
    rmSync(sysfs, { recursive: true });
  });
});
