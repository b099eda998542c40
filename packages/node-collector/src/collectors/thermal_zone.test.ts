import { describe, expect, test } from "bun:test";
import { thermal_zone } from "./thermal_zone.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("thermal_zone collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(thermal_zone);
    expectGolden("thermal_zone", text);
    expect(text).toContain(`node_thermal_zone_temp{type="x86_pkg_temp",zone="1"} 55\n`);
    expect(text).toContain(`node_cooling_device_max_state{name="0",type="Processor"} 10\n`);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(thermal_zone, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
