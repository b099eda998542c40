import { describe, expect, test } from "bun:test";
import { thermal_zone } from "./thermal_zone.ts";
import { collectText } from "../testing/golden.ts";

describe("thermal_zone collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(thermal_zone);
    expect(text).toContain(`node_thermal_zone_temp{type="x86_pkg_temp",zone="1"} 55\n`);
    expect(text).toContain(`node_cooling_device_max_state{name="0",type="Processor"} 10\n`);
  });
});
