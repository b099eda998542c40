import { describe, expect, test } from "bun:test";
import { dmi } from "./dmi.ts";
import { collectText } from "../testing/golden.ts";

describe("dmi collector", () => {
  test("labels node_dmi_info with every DMI attribute present, sys_vendor as system_vendor, as valid UTF-8", async () => {
    const text = await collectText(dmi);
    expect(text).toContain('system_vendor="Supermicro"');
    expect(text).toContain('chassis_asset_tag=""');
    expect(text).not.toContain("chassis_type");
    expect(text).toContain('product_family="Ordinateur portable \uFFFD de test"');
  });
});
