import { describe, expect, test } from "bun:test";
import { uname } from "./uname.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("uname collector", () => {
  test("matches the golden file for the fixture tree", async () => {
    const text = await collectText(uname);
    expectGolden("uname", text);
    expect(text).toMatch(/^node_uname_info\{domainname="[^"]*",machine="[^"]+",nodename="[^"]+",release="[^"]+",sysname="Linux",version="[^"]+"\} 1$/m);
  });

  test("an absent source yields nothing", async () => {
    expect(await collectText(uname, { paths: { procfs: "/nonexistent", sysfs: "/nonexistent", rootfs: "/nonexistent" } })).toBe("");
  });
});
