import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { NoDataError } from "../collector.ts";
import { canFailReads, whileReadsFail } from "../testing/errno-file.ts";
import { collectText, fixturePaths } from "../testing/golden.ts";
import { thermal_zone } from "./thermal_zone.ts";

describe("thermal_zone collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(thermal_zone);
    expect(text).toContain(`node_thermal_zone_temp{type="x86_pkg_temp",zone="1"} 55\n`);
    expect(text).toContain(`node_cooling_device_max_state{name="0",type="Processor"} 10\n`);
  });
});

// A copy of the fixture's class/thermal whose files each test breaks as a kernel does. Real kernel errors come
// from this host's loopback device: its `speed` answers EINVAL and its `autosuspend_delay_ms` EIO on every read.
describe("thermal_zone fails where node_exporter 1.8.2 fails (success 0)", () => {
  let sysfs: string;
  let zone: string;
  let cooling: string;
  const scrape = () => collectText(thermal_zone, { paths: { sysfs } });

  beforeEach(() => {
    sysfs = mkdtempSync("/tmp/thermal-");
    cpSync(`${fixturePaths.sysfs}/class/thermal`, `${sysfs}/class/thermal`, { recursive: true });
    zone = `${sysfs}/class/thermal/thermal_zone1`;
    cooling = `${sysfs}/class/thermal/cooling_device0`;
  });
  afterEach(() => rmSync(sysfs, { recursive: true }));

  test("a zone whose temp read fails with EINVAL fails the collector, no zone exported", async () => {
    rmSync(`${zone}/temp`);
    symlinkSync("/sys/class/net/lo/speed", `${zone}/temp`);
    await expect(scrape()).rejects.toThrow("thermal_zone1/temp");
  });

  test.skipIf(!canFailReads())("a zone whose temp answers ENODATA is skipped, the others served; EAGAIN fails (procfs 0.14)", async () => {
    const text = await whileReadsFail(`${zone}/temp`, "ENODATA", scrape);
    expect(text).toContain(`node_thermal_zone_temp{type="acpitz",zone="0"}`);
    expect(text).not.toContain(`zone="1"`);
    await whileReadsFail(`${zone}/temp`, "EAGAIN", async () => {
      await expect(scrape()).rejects.toThrow("thermal_zone1/temp");
    });
  });

  test("a zone without its policy file is no data, not a partial list", async () => {
    rmSync(`${zone}/policy`);
    await expect(scrape()).rejects.toThrow(NoDataError);
  });

  test("a temp that is not an integer fails the collector", async () => {
    writeFileSync(`${zone}/temp`, "55.5\n");
    await expect(scrape()).rejects.toThrow("invalid syntax");
  });

  test("mode and passive are optional, but a passive that is not a number fails", async () => {
    writeFileSync(`${zone}/mode`, "enabled\n");
    expect(await scrape()).toContain(`node_thermal_zone_temp{type="x86_pkg_temp",zone="1"} 55\n`);
    writeFileSync(`${zone}/passive`, "-1\n");
    await expect(scrape()).rejects.toThrow("passive");
  });

  test("a cooling device whose cur_state read fails with EIO fails the collector", async () => {
    rmSync(`${cooling}/cur_state`);
    symlinkSync("/sys/class/net/lo/power/autosuspend_delay_ms", `${cooling}/cur_state`);
    await expect(scrape()).rejects.toThrow("cooling_device0/cur_state");
  });

  test("a cooling device without max_state fails the collector", async () => {
    rmSync(`${cooling}/max_state`);
    await expect(scrape()).rejects.toThrow("max_state");
  });
});
