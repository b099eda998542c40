import { describe, expect, test } from "bun:test";
import { hwmon } from "./hwmon.ts";
import { collectText } from "../testing/golden.ts";

describe("hwmon collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(hwmon);
    expect(text).toContain(`node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"} 55\n`);
    expect(text).toContain(`node_hwmon_temp_crit_celsius{chip="platform_coretemp_0",sensor="temp1"} 100\n`);
    expect(text).toContain(`node_hwmon_sensor_label{chip="platform_coretemp_0",label="Package id 0",sensor="temp1"} 1\n`);
    // Spaces in a label are kept, as node_exporter keeps them (it strips newlines only).
    expect(text).toContain(`node_hwmon_sensor_label{chip="platform_coretemp_0",label="Vcore ",sensor="in0"} 1\n`);
    expect(text).toContain(`node_hwmon_chip_names{chip="acpitz",chip_name="acpitz"} 1\n`);
    expect(text).toContain(`node_hwmon_power_watt{chip="acpitz",sensor="power1"} 12.5\n`);
    expect(text).toContain(`node_hwmon_in_volts{chip="acpitz",sensor="in0"} 1.2\n`);
    // node_exporter's naming rules: alarms without a unit, a "crit_alarm" is a temperature property,
    // beep_enable is chip-wide, a sensor's type is a raw value
    expect(text).toContain(`node_hwmon_fan_alarm{chip="acpitz",sensor="fan1"} 0\n`);
    expect(text).toContain(`node_hwmon_temp_crit_alarm_celsius{chip="platform_coretemp_0",sensor="temp1"} 0\n`);
    expect(text).toContain(`node_hwmon_beep_enabled{chip="acpitz",sensor="beep_enable0"} 1\n`);
    expect(text).toContain(`node_hwmon_temp_type{chip="acpitz",sensor="temp1"} 4\n`);
  });
});

describe("hwmon chip filters: --collector.hwmon.chip-include|exclude", () => {
  test("include keeps only matching chips, exclude drops matching ones, and both apply together", async () => {
    const chips = (text: string) => [...new Set([...text.matchAll(/chip="([^"]+)"/g)].map((m) => m[1]))].sort();
    expect(chips(await collectText(hwmon))).toEqual(["acpitz", "platform_coretemp_0"]);
    expect(chips(await collectText(hwmon, { config: { chipInclude: /coretemp/ } }))).toEqual(["platform_coretemp_0"]);
    expect(chips(await collectText(hwmon, { config: { chipExclude: /^acpi/ } }))).toEqual(["platform_coretemp_0"]);
    expect(chips(await collectText(hwmon, { config: { chipInclude: /a/, chipExclude: /acpitz/ } }))).toEqual(["platform_coretemp_0"]);
  });
});
