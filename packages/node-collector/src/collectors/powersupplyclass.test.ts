import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { powersupplyclass } from "./powersupplyclass.ts";
import { canFailReads, whileReadsFail } from "../testing/errno-file.ts";
import { collectText, fixturePaths } from "../testing/golden.ts";

describe("powersupplyclass collector", () => {
  test("exposes supplies in base units and labels info with their string attributes", async () => {
    const text = await collectText(powersupplyclass);
    expect(text).toContain('node_power_supply_energy_watthour{power_supply="BAT0"} 36.71\n');
    expect(text).toContain('node_power_supply_temp_celsius{power_supply="BAT0"} 31.2\n');
    expect(text).toContain('node_power_supply_cyclecount{power_supply="BAT0"} 214\n');
    expect(text).toContain('node_power_supply_info{power_supply="AC",type="Mains"} 1\n');
  });

  test("--collector.powersupply.ignored-supplies drops matching supplies", async () => {
    const text = await collectText(powersupplyclass, { config: { ignoredSupplies: /^hidpp/ } });
    expect(text).not.toContain("hidpp_battery_0");
    expect(text).toContain('power_supply="BAT0"');
  });

  test("a supply file that answers an error other than ENOENT or EOPNOTSUPP fails the collector, ignored supply or not", async () => {
    const sysfs = mkdtempSync("/tmp/power-supply-");
    cpSync(`${fixturePaths.sysfs}/class/power_supply`, `${sysfs}/class/power_supply`, { recursive: true, verbatimSymlinks: true });
    // A real kernel directory whose regular files answer as a supply's may: loopback's speed and duplex give EINVAL.
    symlinkSync("/sys/class/net/lo", `${sysfs}/class/power_supply/lo`);
    await expect(collectText(powersupplyclass, { paths: { sysfs } })).rejects.toThrow("/lo/");
    await expect(collectText(powersupplyclass, { paths: { sysfs }, config: { ignoredSupplies: /^lo$/ } })).rejects.toThrow("/lo/");
    rmSync(sysfs, { recursive: true });
  });

  test.skipIf(!canFailReads())("a battery attribute answering ENODATA fails the collector; one answering EOPNOTSUPP is left out", async () => {
    const sysfs = mkdtempSync("/tmp/power-supply-");
    cpSync(`${fixturePaths.sysfs}/class/power_supply`, `${sysfs}/class/power_supply`, { recursive: true, verbatimSymlinks: true });
    const capacity = `${sysfs}/class/power_supply/BAT0/capacity`;
    try {
      await whileReadsFail(capacity, "ENODATA", async () => {
        await expect(collectText(powersupplyclass, { paths: { sysfs } })).rejects.toThrow("ENODATA");
      });
      const text = await whileReadsFail(capacity, "EOPNOTSUPP", () => collectText(powersupplyclass, { paths: { sysfs } }));
      expect(text).not.toContain('node_power_supply_capacity{power_supply="BAT0"}');
      expect(text).toContain('node_power_supply_cyclecount{power_supply="BAT0"} 214\n');
    } finally {
      rmSync(sysfs, { recursive: true });
    }
  });
});
