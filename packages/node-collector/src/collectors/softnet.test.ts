import { describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { softnet } from "./softnet.ts";
import { collectText } from "../testing/golden.ts";

describe("softnet collector", () => {
  test("reads the fixture tree's values", async () => {
    const text = await collectText(softnet);
    expect(text).toMatch(/^node_softnet_processed_total\{cpu="0"\} \d+$/m);
    expect(text).toMatch(/^node_softnet_processed_total\{cpu="1"\} \d+$/m);
    expect(text).toMatch(/^node_softnet_times_squeezed_total\{cpu="1"\} \d+$/m);
    // The ninth column, as node_exporter reads it.
    expect(text).toContain('node_softnet_cpu_collision_total{cpu="1"} 10\n');
  });

  test("columns an older kernel lacks are reported as 0, as node_exporter does", async () => {
    const dir = mkdtempSync(join(tmpdir(), "softnet-"));
    try {
      mkdirSync(join(dir, "net"));
      writeFileSync(join(dir, "net", "softnet_stat"), "000003d4 00000002 00000001 00000000 00000000 00000000 00000000 00000000 00000000\n");
      const text = await collectText(softnet, { paths: { procfs: dir } });
      expect(text).toContain('node_softnet_dropped_total{cpu="0"} 2\n');
      for (const name of ["received_rps_total", "flow_limit_count_total", "backlog_len"]) expect(text).toContain(`node_softnet_${name}{cpu="0"} 0\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
