import { describe, expect, test } from "bun:test";
import { tcpstat } from "./tcpstat.ts";
import { collectText } from "../testing/golden.ts";

describe("tcpstat collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(tcpstat);
    expect(text).toMatch(/^node_tcp_connection_states\{state="listen"\} \d+$/m);
    expect(text).toContain(`node_tcp_connection_states{state="rx_queued_bytes"} `);
  });
});
