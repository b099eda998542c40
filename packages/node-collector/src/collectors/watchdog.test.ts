import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { NoDataError } from "../collector.ts";
import { watchdog } from "./watchdog.ts";
import { collectText, fixturePaths } from "../testing/golden.ts";

describe("watchdog collector", () => {
  test("exposes the attributes each driver provides, and info labels", async () => {
    const text = await collectText(watchdog);
    expect(text).toContain('node_watchdog_timeleft_seconds{name="watchdog0"} 272\n');
    expect(text).not.toContain('node_watchdog_timeleft_seconds{name="watchdog1"}');
    expect(text).toContain(
      'node_watchdog_info{identity="Software Watchdog",name="watchdog1",options="",pretimeout_governor="",state="inactive",status=""} 1\n',
    );
  });

  test("errors as node_exporter 1.8.2 sorts them: a number it cannot parse or a read error fails, no class is no data", async () => {
    const sysfs = mkdtempSync("/tmp/watchdog-");
    const scrape = () => collectText(watchdog, { paths: { sysfs } });
    await expect(scrape()).rejects.toThrow(NoDataError);
    cpSync(`${fixturePaths.sysfs}/class/watchdog`, `${sysfs}/class/watchdog`, { recursive: true });
    const dir = `${sysfs}/class/watchdog/watchdog0`;
    writeFileSync(`${dir}/timeout`, "0x3c\n"); // Go's ParseInt(s, 0, 64) reads hex
    expect(await scrape()).toContain('node_watchdog_timeout_seconds{name="watchdog0"} 60\n');
    writeFileSync(`${dir}/timeout`, "sixty\n");
    await expect(scrape()).rejects.toThrow("invalid syntax");
    rmSync(`${dir}/timeout`);
    symlinkSync("/sys/class/net/lo/speed", `${dir}/timeout`); // a real kernel EINVAL
    const failure = await scrape().catch((e: Error) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(failure).not.toBeInstanceOf(NoDataError);
    rmSync(sysfs, { recursive: true });
  });
});
