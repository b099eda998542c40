import { describe, expect, test } from "bun:test";
import { createLogger, flag, MetricSet, ScrapeQueryError } from "@agent/core";
import { defineCollector, NoDataError, type Collector } from "./collector.ts";
import { nodeFlags } from "./flags.ts";
import { NodeRegistry } from "./registry.ts";
import { nodeValues } from "./testing/node-values.ts";

const quiet = createLogger({ level: "error", write: () => {} });

const fast = defineCollector({
  name: "fast",
  defaultEnabled: true,
  flags: { greeting: flag.string("collector.fast.greeting", "hi", "What to say.") },
  create: ({ config }) => ({
    collect(out) {
      out.gauge("node_fast_value", "A value.", 1, { greeting: config.greeting });
    },
  }),
});
const offByDefault = defineCollector({
  name: "slowpoke",
  defaultEnabled: false,
  create: () => ({
    collect(out) {
      out.gauge("node_slowpoke_value", "Another value.", 2);
    },
  }),
});
const hangs = defineCollector({
  name: "hangs",
  defaultEnabled: true,
  create: () => ({
    async collect(out, { signal }) {
      out.gauge("node_hangs_partial", "Written before the hang; must not be served.", 1);
      await new Promise((resolve) => signal.addEventListener("abort", resolve));
      await new Promise(() => {});
    },
  }),
});
const fails = defineCollector({
  name: "fails",
  defaultEnabled: true,
  create: () => ({
    collect(out) {
      out.gauge("node_fails_partial", "Written before the failure.", 1);
      throw new Error("boom");
    },
  }),
});
const noData = defineCollector({
  name: "nodata",
  defaultEnabled: false,
  create: () => ({
    collect() {
      throw new NoDataError("/sys/class/none");
    },
  }),
});
const textfileLike = defineCollector({
  name: "textfile",
  defaultEnabled: true,
  create: () => ({
    collect(out) {
      out.gauge("node_fast_value", "Clashes with the fast collector's family.", 99);
      out.gauge("my_textfile_metric", "From a file.", 5);
    },
  }),
});

const all: Collector[] = [textfileLike, fast, offByDefault, hangs, fails, noData];

function registry(argv: string[], collectors: Collector[] = all): NodeRegistry {
  return new NodeRegistry(collectors, nodeValues(collectors, argv), quiet);
}

const names = (r: NodeRegistry) => r.enabled.map((e) => e.collector.name).sort();

describe("node registry", () => {
  test("flags follow node_exporter: --collector.<name>, --no-collector.<name>, per-collector flags", () => {
    const flags = nodeFlags(all);
    for (const n of ["collector.fast", "collector.slowpoke", "collector.fast.greeting", "collector.disable-defaults", "collector.timeout", "path.procfs", "path.sysfs", "path.rootfs", "path.udev.data"]) {
      expect(Object.values(flags).map((f) => f.name)).toContain(n);
    }
    expect(names(registry([]))).toEqual(["fails", "fast", "hangs", "textfile"]);
    expect(names(registry(["--collector.slowpoke", "--no-collector.hangs"]))).toEqual(["fails", "fast", "slowpoke", "textfile"]);
  });

  test("--collector.disable-defaults keeps only the collectors named explicitly, default-on ones included", () => {
    expect(names(registry(["--collector.disable-defaults", "--collector.fast", "--collector.slowpoke"]))).toEqual(["fast", "slowpoke"]);
    expect(names(registry(["--collector.disable-defaults"]))).toEqual([]);
  });

  test("a collector registered twice is refused", () => {
    expect(() => nodeFlags([fast, fast])).toThrow(/registered twice/);
  });

  test("an overrunning collector is abandoned with success 0 and the scrape answers within the timeout", async () => {
    const r = registry(["--collector.timeout=300ms", "--collector.fast.greeting=hello"]);
    const started = performance.now();
    const text = (await r.collect(new MetricSet())).render();
    expect(performance.now() - started).toBeLessThan(3000);
    expect(text).toContain(`node_scrape_collector_success{collector="hangs"} 0\n`);
    expect(text).not.toContain("node_hangs_partial");
    expect(text).toContain(`node_scrape_collector_success{collector="fast"} 1\n`);
    expect(text).toContain(`node_fast_value{greeting="hello"} 1\n`);
    expect(text).toMatch(/^node_scrape_collector_duration_seconds\{collector="hangs"\} 0\.[2-9]\d*$/m);
  });

  test("a failing collector reports success 0 and contributes nothing; the others are served", async () => {
    const text = (await registry(["--no-collector.hangs"]).collect(new MetricSet())).render();
    expect(text).toContain(`node_scrape_collector_success{collector="fails"} 0\n`);
    expect(text).not.toContain("node_fails_partial");
    expect(text).toContain(`node_scrape_collector_success{collector="textfile"} 1\n`);
  });

  test("a collector without data (node_exporter's ErrNoData) reports success 0 without failing the others", async () => {
    const lines: string[] = [];
    const log = createLogger({ level: "debug", format: "json", write: (line) => lines.push(line) });
    const collectors = [fast, noData];
    const text = (await new NodeRegistry(collectors, nodeValues(collectors, ["--collector.nodata"]), log).collect(new MetricSet())).render();
    expect(text).toContain(`node_scrape_collector_success{collector="nodata"} 0\n`);
    expect(text).toContain(`node_scrape_collector_success{collector="fast"} 1\n`);
    // Logged at debug, as node_exporter does, not as a failure.
    const logged = lines.map((l) => JSON.parse(l) as { level: string; msg: string; collector?: string }).filter((l) => l.collector === "nodata");
    expect(logged.map((l) => [l.level, l.msg])).toEqual([["debug", "collector returned no data"]]);
  });

  test("a textfile family that clashes with a collector's is dropped; families come out sorted, merged with own", async () => {
    const own = new MetricSet();
    own.gauge("process_open_fds", "Open fds.", 7);
    const text = (await registry(["--no-collector.hangs", "--no-collector.fails"]).collect(own)).render();
    expect(text).toContain(`node_fast_value{greeting="hi"} 1\n`);
    expect(text).not.toContain("node_fast_value 99");
    expect(text.match(/# TYPE node_fast_value /g)).toHaveLength(1);
    expect(text).toContain("my_textfile_metric 5\n");
    const types = [...text.matchAll(/^# TYPE (\S+)/gm)].map((m) => m[1]!);
    expect(types).toEqual([...types].sort());
    expect(types).toContain("process_open_fds");
  });

  test("collect[] keeps only the named collectors, exclude[] leaves names out; unknown, disabled or combined is refused", async () => {
    const r = registry(["--no-collector.hangs", "--no-collector.fails"]);
    const q = (s: string) => new URLSearchParams(s);
    expect(r.select(q(""))).toBeUndefined();
    const text = (await r.collect(new MetricSet(), r.select(q("collect[]=fast")))).render();
    expect(text).toContain(`node_scrape_collector_success{collector="fast"} 1\n`);
    expect(text).not.toContain(`collector="textfile"`);
    expect(text).not.toContain("my_textfile_metric");
    expect(r.select(q("exclude[]=fast&exclude[]=nonesuch"))!.map((e) => e.collector.name)).toEqual(["textfile"]);
    expect(() => r.select(q("collect[]=fast&collect[]=nonesuch"))).toThrow(new ScrapeQueryError("Couldn't create filtered metrics handler: missing collector: nonesuch"));
    expect(() => r.select(q("collect[]=slowpoke"))).toThrow(new ScrapeQueryError("Couldn't create filtered metrics handler: disabled collector: slowpoke"));
    expect(() => r.select(q("collect[]=fast&exclude[]=textfile"))).toThrow(ScrapeQueryError);
  });

  test("--collector.timeout must be positive", () => {
    expect(() => registry(["--collector.timeout=0s"])).toThrow(/collector.timeout/);
  });
});

describe("node registry instances", () => {
  test("creates one instance per enabled collector, with its flags, once, and keeps it across scrapes", async () => {
    const created: string[] = [];
    const counting = (name: string, defaultEnabled: boolean) =>
      defineCollector({
        name,
        defaultEnabled,
        flags: { step: flag.int(`collector.${name}.step`, 1, "Added per scrape.") },
        create: ({ config }) => {
          created.push(name);
          let n = 0;
          return { collect: (out) => out.counter(`node_${name}_total`, "Scrapes seen by this instance.", (n += config.step)) };
        },
      });
    const r = registry(["--collector.counted.step=5"], [counting("counted", true), counting("off", false)]);
    expect(created).toEqual(["counted"]);
    await r.scrape();
    const { sets } = await r.scrape();
    expect(sets[0]!.render()).toContain("node_counted_total 10\n");
    expect(created).toEqual(["counted"]);
  });
});
