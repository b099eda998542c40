import { describe, expect, test } from "bun:test";
import { hwmon } from "./hwmon.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("hwmon collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(hwmon);
    expectGolden("hwmon", text);
    expect(text).toContain(`node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"} 55\n`);
    expect(text).toContain(`node_hwmon_temp_crit_celsius{chip="platform_coretemp_0",sensor="temp1"} 100\n`);
    expect(text).toContain(`node_hwmon_sensor_label{chip="platform_coretemp_0",label="Package id 0",sensor="temp1"} 1\n`);
    expect(text).toContain(`node_hwmon_chip_names{chip="acpitz",chip_name="acpitz"} 1\n`);
    expect(text).toContain(`node_hwmon_power_watt{chip="acpitz",sensor="power1"} 12.5\n`);
    expect(text).toContain(`node_hwmon_in_volts{chip="acpitz",sensor="in0"} 1.2\n`);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(hwmon, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
