import { describe, expect, test } from "bun:test";
import { softirqs } from "./softirqs.ts";
import { collectText } from "../testing/golden.ts";

describe("softirqs collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(softirqs);
    expect(text).toMatch(/^node_softirqs_functions_total\{cpu="1",type="NET_RX"\} 585955$/m);
    expect(text).toMatch(/^node_softirqs_functions_total\{cpu="0",type="TIMER"\} 47957$/m);
  });
});
