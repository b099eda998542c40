import { describe, expect, test } from "bun:test";
import { os } from "./os.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("os collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(os);
    expectGolden("os", text);
    expect(text).toContain(`node_os_info{build_id="",id="debian",id_like="",image_id="",image_version="",name="Debian GNU/Linux",pretty_name="Debian GNU/Linux 12 (bookworm)",variant="",variant_id="",version="12 (bookworm)",version_codename="bookworm",version_id="12"} 1`);
    expect(text).toContain(`node_os_version{id="debian",id_like="",name="Debian GNU/Linux"} 12`);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(os, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
