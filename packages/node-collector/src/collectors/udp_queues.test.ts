import { describe, expect, test } from "bun:test";
import { udp_queues } from "./udp_queues.ts";
import { collectText } from "../testing/golden.ts";

describe("udp_queues collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(udp_queues);
    expect(text).toContain(`node_udp_queues{ip="v4",queue="rx"} `);
    expect(text).toContain(`node_udp_queues{ip="v6",queue="tx"} `);
  });
});
