import { afterAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { createLogger, formatValue, MetricSet } from "@agent/core";
import { join } from "node:path";
import { collectTextfiles, textfile } from "./textfile.ts";
import { TextfileThreads } from "./textfile-thread.ts";
import { collectText, expectGolden, FIXTURES, instantiate, scrapeText } from "../testing/golden.ts";
import { canHangMount, hangMount } from "../testing/hung-mount.ts";

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

describe("textfile collector against hostile files", () => {
  const root = mkdtempSync("/tmp/textfile-test-");
  afterAll(() => rmSync(root, { recursive: true }));
  let n = 0;
  /** A fresh directory holding `files` (name to content). */
  function dirWith(files: Record<string, string>): string {
    const d = `${root}/${n++}`;
    mkdirSync(d);
    for (const [name, text] of Object.entries(files)) writeFileSync(`${d}/${name}`, text);
    return d;
  }
  const threads = new TextfileThreads();
  async function collect(dirs: string[], opts: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<{ text: string; logged: string }> {
    const lines: string[] = [];
    const out = new MetricSet();
    const log = createLogger({ level: "error", write: (line) => lines.push(line) });
    await collectTextfiles(out, dirs, { maxBytes: opts.maxBytes ?? 64 << 20, log, signal: opts.signal ?? new AbortController().signal, threads });
    return { text: out.render(), logged: lines.join("") };
  }

  test("the same series in two files is served once, from the first file by name, and is not a scrape error", async () => {
    const d = dirWith({
      "a.prom": 'jobs{k="x"} 1\njobs{k="y"} 5\n',
      "b.prom": 'jobs{k="x"} 2\njobs{k="z"} 7\n',
    });
    const { text, logged } = await collect([d]);
    expect(text).toContain(`# HELP jobs Metric read from ${d}/a.prom, ${d}/b.prom\n# TYPE jobs untyped\njobs{k="x"} 1\njobs{k="y"} 5\njobs{k="z"} 7\n`);
    expect(text).not.toContain('jobs{k="x"} 2');
    expect(text).toContain("node_textfile_scrape_error 0\n");
    expect(text).toContain(`node_textfile_mtime_seconds{file="${d}/b.prom"}`);
    expect(logged).toContain("textfile series already read");
    expect(logged).toContain(`${d}/b.prom`);
  });

  test("a series repeated within one file, or with its labels in another order, is one series", async () => {
    const d = dirWith({ "a.prom": 'r{a="1",b="2"} 1\nr{b="2",a="1"} 2\nr{a="1",b="2",c=""} 3\n' });
    const { text } = await collect([d]);
    expect(text).toContain('r{a="1",b="2"} 1\n');
    expect(text).not.toContain(" 2\n");
    expect(text).not.toContain(" 3\n");
  });

  test("a later file whose HELP differs is skipped and sets the error, as node_exporter 1.8 does", async () => {
    const d = dirWith({ "a.prom": "# HELP h first\nh 1\n", "b.prom": '# HELP h second\nh{x="1"} 2\n' });
    const { text } = await collect([d]);
    expect(text).toContain("# HELP h first\n");
    expect(text).not.toContain('h{x="1"}');
    expect(text).toContain("node_textfile_scrape_error 1\n");
  });

  test("a missing directory sets the error; the other directories are still served", async () => {
    const d = dirWith({ "a.prom": "kept 1\n" });
    const { text, logged } = await collect([`${root}/missing`, d]);
    expect(text).toContain("kept 1\n");
    expect(text).toContain("node_textfile_scrape_error 1\n");
    expect(logged).toContain(`${root}/missing`);
  });

  test("a directory given as a glob (node_exporter 1.8.2 globs the flag) reads every match; no match is a missing directory", async () => {
    const base = dirWith({});
    for (const [sub, file] of [["app-b", "b_total 2\n"], ["app-a", "a_total 1\n"], ["other", "other_total 3\n"]] as const) {
      mkdirSync(`${base}/${sub}`);
      writeFileSync(`${base}/${sub}/m.prom`, file);
    }
    const { text } = await collect([`${base}/app-*`]);
    expect(text).toContain("a_total 1\n");
    expect(text).toContain("b_total 2\n");
    expect(text).not.toContain("other_total");
    expect(text).toContain("node_textfile_scrape_error 0\n");
    const none = await collect([`${base}/nothing-*`]);
    expect(none.text).toContain("node_textfile_scrape_error 1\n");
    expect(none.logged).toContain(`${base}/nothing-*`);
  });

  test("a FIFO, links to /dev/zero and /dev/urandom, and a file over the cap are skipped with the error; the rest is served", async () => {
    const d = dirWith({ "good.prom": "good 1\n" });
    expect(Bun.spawnSync(["mkfifo", `${d}/fifo.prom`]).exitCode).toBe(0);
    symlinkSync("/dev/zero", `${d}/zero.prom`);
    symlinkSync("/dev/urandom", `${d}/urandom.prom`);
    writeFileSync(`${d}/big.prom`, "");
    truncateSync(`${d}/big.prom`, 2048); // sparse: the cap is checked before anything is read
    const started = performance.now();
    const { text, logged } = await collect([d], { maxBytes: 1024 });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(text).toContain("good 1\n");
    expect(text).toContain("node_textfile_scrape_error 1\n");
    expect(text).toContain(`node_textfile_mtime_seconds{file="${d}/good.prom"}`);
    expect(text).not.toContain(`file="${d}/fifo.prom"`);
    for (const bad of ["fifo.prom is a FIFO", "zero.prom is a character device", "urandom.prom is a character device", "big.prom is larger than 1024 bytes"]) {
      expect(logged).toContain(bad);
    }
  });

  test("once its signal fires it stops reading and serves what it has, with the error", async () => {
    const d = dirWith({ "a.prom": "a 1\n" });
    const stop = new AbortController();
    stop.abort(new Error("out of time"));
    const { text, logged } = await collect([d], { signal: stop.signal });
    expect(text).toBe("# HELP node_textfile_scrape_error 1 if there was an error opening or reading a file, 0 otherwise\n# TYPE node_textfile_scrape_error gauge\nnode_textfile_scrape_error 1\n");
    expect(logged).toContain("out of time");
  });

  test.skipIf(!canHangMount())("a directory on a mount that never answers costs only its own files, and the wait stops before the registry's deadline", async () => {
    const hung = await hangMount();
    try {
      const good = dirWith({ "a.prom": "a 1\n" });
      const lines: string[] = [];
      const instance = instantiate(textfile, {
        config: { directory: [hung.mountpoint, good], maxBytes: 1024 },
        log: createLogger({ level: "error", write: (line) => lines.push(line) }),
      });
      const collectOnce = async () => {
        const started = performance.now();
        const text = await scrapeText(instance, { deadline: started + 1000 });
        return { text, ms: performance.now() - started };
      };
      for (let i = 0; i < 2; i++) {
        const { text, ms } = await collectOnce();
        // Given up 250 ms before the deadline, so the registry, which abandons at 1000 ms, still serves this.
        expect(ms).toBeGreaterThan(700);
        expect(ms).toBeLessThan(1000);
        expect(text).toContain("a 1\n");
        expect(text).toContain(`node_textfile_mtime_seconds{file="${good}/a.prom"}`);
        expect(text).toContain("node_textfile_scrape_error 1\n");
      }
      expect(lines.join("")).toContain(hung.mountpoint);
    } finally {
      await hung.release();
    }
  });
});
