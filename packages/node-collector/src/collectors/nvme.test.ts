import { describe, expect, test } from "bun:test";
import { NoDataError } from "../collector.ts";
import { nvme } from "./nvme.ts";
import { collectText, expectGolden, promtoolProblems } from "../testing/golden.ts";

describe("nvme collector", () => {
  test("labels node_nvme_info with trimmed controller attributes", async () => {
    const text = await collectText(nvme);
    expectGolden("nvme", text);
    expect(text).toContain(
      'node_nvme_info{device="nvme0",firmware_revision="GDC5602Q",model="Samsung SSD 980 PRO 2TB",serial="S6B0NL0T123456K",state="live"} 1\n',
    );
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("no /sys/class/nvme yields nothing; node_exporter says no data (success 0)", async () => {
    await expect(collectText(nvme, { paths: { sysfs: "/nonexistent" } })).rejects.toThrow(NoDataError);
  });
});
