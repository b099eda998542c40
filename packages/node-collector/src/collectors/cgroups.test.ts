import { describe, expect, test } from "bun:test";
import { cgroups } from "./cgroups.ts";
import { collectText } from "../testing/golden.ts";

describe("cgroups collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(cgroups);
    expect(text).toMatch(/^node_cgroups_cgroups\{subsys_name="memory"\} 35$/m);
    expect(text).toMatch(/^node_cgroups_enabled\{subsys_name="pids"\} 1$/m);
  });
});
