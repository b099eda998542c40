import { describe, expect, test } from "bun:test";
import { loadavg } from "./loadavg.ts";
import { collectText } from "../testing/golden.ts";

describe("loadavg collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(loadavg);
    expect(text).toMatch(/^node_load1 [0-9.]+$/m);
    expect(text).toMatch(/^node_load15 [0-9.]+$/m);
  });
});
