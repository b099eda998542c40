import { describe, expect, test } from "bun:test";
import { sockstat } from "./sockstat.ts";
import { collectText } from "../testing/golden.ts";

describe("sockstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(sockstat);
    expect(text).toMatch(/^node_sockstat_sockets_used \d+$/m);
    expect(text).toMatch(/^node_sockstat_TCP_mem_bytes \d+$/m);
    expect(text).toMatch(/^node_sockstat_TCP6_inuse \d+$/m);
  });
});
