import { describe, expect, test } from "bun:test";
import { uname } from "./uname.ts";
import { collectText } from "../testing/golden.ts";

describe("uname collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(uname);
    expect(text).toMatch(/^node_uname_info\{domainname="[^"]*",machine="[^"]+",nodename="[^"]+",release="[^"]+",sysname="Linux",version="[^"]+"\} 1$/m);
  });
});
