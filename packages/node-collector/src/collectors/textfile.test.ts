import { describe, expect, test } from "bun:test";
import { formatValue } from "@agent/core";
import { utimesSync } from "node:fs";
import { join } from "node:path";
import { textfile } from "./textfile.ts";
import { collectText, expectGolden, FIXTURES } from "../testing/golden.ts";

const MTIME = 1_700_000_000;
function dir(name: "good" | "bad"): string {
  const d = join(FIXTURES, "textfile", name);
  // git does not keep mtimes; pin them so the golden file holds
  for (const f of ["a.prom", "b.prom", "broken.prom", "stamped.prom", "clash.prom"]) {
    try {
      utimesSync(join(d, f), MTIME, MTIME);
    } catch {
      // not in this directory
    }
  }
  return d;
}

describe("textfile collector", () => {
  test("serves every *.prom file, merging a family found in two files (golden)", async () => {
    const d = dir("good");
    const text = (await collectText(textfile, { config: { directory: [d] } })).replaceAll(FIXTURES, "FIXTURES");
    expectGolden("textfile", text);
    expect(text).toContain(`job_runs_total{job="db"} 12\njob_runs_total{job="web"} 3\n`);
    expect(text).toContain(`# HELP untyped_without_help Metric read from FIXTURES/textfile/good/b.prom\n`);
    expect(text).toContain(`node_textfile_mtime_seconds{file="FIXTURES/textfile/good/a.prom"} ${formatValue(MTIME)}\n`);
    expect(text).toContain("node_textfile_scrape_error 0\n");
  });

  test("a file with a syntax error or timestamps is skipped and sets the error; the others are still served", async () => {
    const d = dir("bad");
    const text = await collectText(textfile, { config: { directory: [d] } });
    expect(text).toContain("node_textfile_scrape_error 1\n");
    expect(text).toContain(`backup_last_success_seconds{job="db"} 1.7e+09\n`);
    expect(text).not.toContain("broken");
    expect(text).not.toContain("stamped_metric");
    expect(text).toContain(`node_textfile_mtime_seconds{file="${d}/a.prom"}`);
    expect(text).not.toContain(`file="${d}/broken.prom"`);
  });

  test("no directory configured: only the error gauge, at 0", async () => {
    expect(await collectText(textfile)).toBe(
      "# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 0\n",
    );
  });
});
