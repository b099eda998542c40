import { describe, expect, test } from "bun:test";
import { powersupplyclass } from "./powersupplyclass.ts";
import { collectText } from "../testing/golden.ts";

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
});
