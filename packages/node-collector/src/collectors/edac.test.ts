import { describe, expect, test } from "bun:test";
import { edac } from "./edac.ts";
import { collectText } from "../testing/golden.ts";

describe("edac collector", () => {
  test("exposes per-controller and per-csrow error counters, unattributed ones as csrow unknown", async () => {
    const text = await collectText(edac);
    expect(text).toContain('node_edac_correctable_errors_total{controller="0"} 3\n');
    expect(text).toContain('node_edac_csrow_correctable_errors_total{controller="0",csrow="unknown"} 2\n');
    expect(text).toContain('node_edac_csrow_uncorrectable_errors_total{controller="0",csrow="0"} 1\n');
  });
});
