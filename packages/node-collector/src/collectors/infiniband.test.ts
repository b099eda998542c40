import { describe, expect, test } from "bun:test";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { NoDataError } from "../collector.ts";
import { infiniband } from "./infiniband.ts";
import { canFailReads, whileReadsFail } from "../testing/errno-file.ts";
import { collectText, expectGolden, fixturePaths, sysfsCopy } from "../testing/golden.ts";

describe("infiniband collector", () => {
  test("exposes port state, rate and counters; data counters are scaled by 4 lanes", async () => {
    const text = await collectText(infiniband);
    expect(text).toContain('node_infiniband_rate_bytes_per_second{device="mlx4_0",port="1"} 7e+09\n');
    expect(text).toContain('node_infiniband_port_data_received_bytes_total{device="mlx4_0",port="1"} 1.087315684e+10\n');
    expect(text).toContain('node_infiniband_legacy_data_received_bytes_total{device="qib0",port="1"} 16384\n');
    // "N/A (no PMA)" counters are skipped rather than failing the scrape
    expect(text).not.toContain('node_infiniband_port_data_received_bytes_total{device="mlx4_0",port="2"}');
    expect(text).toContain('node_infiniband_state_id{device="mlx4_0",port="2"} 1\n');
  });

  test("errors as node_exporter 1.8.2's sysfs library sorts them", async () => {
    const { sysfs, reset: fresh, remove } = sysfsCopy("class/infiniband");
    const scrape = () => collectText(infiniband, { paths: { sysfs } });
    const counter = `${sysfs}/class/infiniband/mlx4_0/ports/1/counters/symbol_error`;
    try {
      // A counter it parses that is not a number fails; a file it does not parse is only read.
      fresh();
      writeFileSync(counter, "lots\n");
      await expect(scrape()).rejects.toThrow("invalid syntax");
      fresh();
      writeFileSync(`${sysfs}/class/infiniband/mlx4_0/ports/1/counters/vendor_specific`, "lots\n");
      expect(await scrape()).toContain('node_infiniband_symbol_error_total{device="mlx4_0",port="1"} 0\n');
      // An mlx5 device's ports must have hw_counters (read, not exported): without, no data; with, served.
      fresh();
      cpSync(`${sysfs}/class/infiniband/mlx4_0`, `${sysfs}/class/infiniband/mlx5_0`, { recursive: true });
      await expect(scrape()).rejects.toThrow(NoDataError);
      for (const port of ["1", "2"]) {
        mkdirSync(`${sysfs}/class/infiniband/mlx5_0/ports/${port}/hw_counters`);
        writeFileSync(`${sysfs}/class/infiniband/mlx5_0/ports/${port}/hw_counters/out_of_buffer`, "0\n");
      }
      expect(await scrape()).toContain('node_infiniband_info{board_id="SM_1141000001000",device="mlx5_0"');
    } finally {
      remove();
    }
  });

  test.skipIf(!canFailReads())("a counter answering EINVAL fails the collector; one answering EOPNOTSUPP is left out", async () => {
    const sysfs = mkdtempSync("/tmp/infiniband-");
    cpSync(`${fixturePaths.sysfs}/class/infiniband`, `${sysfs}/class/infiniband`, { recursive: true });
    const counter = `${sysfs}/class/infiniband/mlx4_0/ports/1/counters/symbol_error`;
    try {
      await whileReadsFail(counter, "EINVAL", async () => {
        await expect(collectText(infiniband, { paths: { sysfs } })).rejects.toThrow("EINVAL");
      });
      const text = await whileReadsFail(counter, "EOPNOTSUPP", () => collectText(infiniband, { paths: { sysfs } }));
      expect(text).not.toContain('node_infiniband_symbol_error_total{device="mlx4_0",port="1"}');
      expect(text).toContain('node_infiniband_link_downed_total{device="mlx4_0",port="1"}');
    } finally {
      rmSync(sysfs, { recursive: true });
    }
  });
});
