import { describe, expect, test } from "bun:test";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { NoDataError } from "../collector.ts";
import { fibrechannel } from "./fibrechannel.ts";
import { canFailReads, whileReadsFail } from "../testing/errno-file.ts";
import { collectText, expectGolden, fixturePaths, sysfsCopy } from "../testing/golden.ts";

describe("fibrechannel collector", () => {
  test("exposes host info and hex statistics, skipping counters the firmware does not implement", async () => {
    const text = await collectText(fibrechannel);
    expect(text).toContain('node_fibrechannel_rx_frames_total{fc_host="host0"} 1.789487e+06\n');
    expect(text).not.toContain('node_fibrechannel_dumped_frames_total{fc_host="host0"}');
    expect(text).toContain('port_name="21000024ff7e3a10"');
    expect(text).toContain('node_fibrechannel_link_failure_total{fc_host="host1"} 17\n');
  });

  test("errors as node_exporter 1.8.2's sysfs library sorts them", async () => {
    const { sysfs, reset: fresh, remove } = sysfsCopy("class/fc_host");
    const scrape = () => collectText(fibrechannel, { paths: { sysfs } });
    const stats = `${sysfs}/class/fc_host/host0/statistics`;
    try {
      fresh();
      writeFileSync(`${stats}/rx_frames`, "many\n");
      await expect(scrape()).rejects.toThrow("invalid syntax");
      fresh();
      rmSync(stats, { recursive: true });
      await expect(scrape()).rejects.toThrow(NoDataError);
      fresh();
      if (canFailReads()) {
        // The write-only reset_statistics is never tried; any other statistic that cannot be read fails.
        expect(await whileReadsFail(`${stats}/reset_statistics`, "EACCES", scrape)).toContain('node_fibrechannel_rx_frames_total{fc_host="host0"}');
        await whileReadsFail(`${stats}/lip_count`, "EACCES", async () => {
          await expect(scrape()).rejects.toThrow("lip_count");
        });
      }
    } finally {
      remove();
    }
  });
});
