import { describe, expect, test } from "bun:test";
import { watchdog } from "./watchdog.ts";
import { collectText } from "../testing/golden.ts";

describe("watchdog collector", () => {
  test("exposes the attributes each driver provides, and info labels", async () => {
    const text = await collectText(watchdog);
    expect(text).toContain('node_watchdog_timeleft_seconds{name="watchdog0"} 272\n');
    expect(text).not.toContain('node_watchdog_timeleft_seconds{name="watchdog1"}');
    expect(text).toContain(
      'node_watchdog_info{identity="Software Watchdog",name="watchdog1",options="",pretimeout_governor="",state="inactive",status=""} 1\n',
    );
  });
});
