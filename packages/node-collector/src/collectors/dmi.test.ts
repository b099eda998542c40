import { describe, expect, test } from "bun:test";
import { NoDataError } from "../collector.ts";
import { dmi } from "./dmi.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("dmi collector", () => {
  test("labels node_dmi_info with every DMI attribute present, sys_vendor as system_vendor, as valid UTF-8", async () => {
    const text = await collectText(dmi);
    expectGolden("dmi", text);
    expect(text).toContain('system_vendor="Supermicro"');
    expect(text).toContain('chassis_asset_tag=""');
    expect(text).not.toContain("chassis_type");
    expect(text).toContain('product_family="Ordinateur portable \uFFFD de test"');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("no /sys/class/dmi yields nothing; node_exporter says no data (success 0)", async () => {
    await expect(collectText(dmi, { paths: { sysfs: "/nonexistent" } })).rejects.toThrow(NoDataError);
  });
});
