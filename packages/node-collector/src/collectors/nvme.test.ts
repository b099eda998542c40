import { describe, expect, test } from "bun:test";
import { nvme } from "./nvme.ts";
import { collectText } from "../testing/golden.ts";

describe("nvme collector", () => {
  test("labels node_nvme_info with trimmed controller attributes", async () => {
    const text = await collectText(nvme);
    expect(text).toContain(
      'node_nvme_info{device="nvme0",firmware_revision="GDC5602Q",model="Samsung SSD 980 PRO 2TB",serial="S6B0NL0T123456K",state="live"} 1\n',
    );
  });
});
