/**
 * Test support for collector fixture tests: run one collector against the fixture trees, compare its
 * output with fixtures/golden/<name>.prom (UPDATE_GOLDEN=1 rewrites it), and lint text with promtool.
 */
import { expect } from "bun:test";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { createLogger, MetricSet, type FlagSet, type FlagValues, type Logger } from "@agent/core";
import { ScrapeMemo, type Collector, type CollectorInstance, type NodePaths, type ScrapeContext } from "../collector.ts";

export const FIXTURES = join(import.meta.dir, "..", "..", "fixtures");

/**
 * Writes the btrfs fixture's "data" block-group directories, kept in btrfs-data-profiles.json, into the sysfs
 * tree: the kernel names them allocation/data, and the repository keeps no path component named data/ (that
 * name is reserved for the agent's storage, which is never committed). A test that reads the sysfs fixture
 * with the btrfs collector on calls this first; it rewrites only what differs.
 */
export function writeBtrfsDataProfiles(): void {
  const files = JSON.parse(readFileSync(join(FIXTURES, "btrfs-data-profiles.json"), "utf8")) as Record<string, string>;
  for (const [rel, text] of Object.entries(files)) {
    const path = join(FIXTURES, "sys/fs/btrfs", rel);
    if (existsSync(path) && readFileSync(path, "utf8") === text) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
}

export const fixturePaths: NodePaths = {
  procfs: join(FIXTURES, "proc"),
  sysfs: join(FIXTURES, "sys"),
  rootfs: FIXTURES,
  udevData: join(FIXTURES, "udev", "db"),
};

function defaults<F extends FlagSet>(flags: F | undefined): FlagValues<F> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(flags ?? {})) out[k] = spec.default;
  return out as FlagValues<F>;
}

/**
 * A scratch copy of one directory of the fixture sysfs tree (`class/infiniband`), for a test to break:
 * `sysfs` is the copy's root, `reset()` copies it afresh, `remove()` deletes it.
 */
export function sysfsCopy(rel: string): { sysfs: string; reset(): void; remove(): void } {
  const sysfs = mkdtempSync("/tmp/sysfs-copy-");
  const reset = () => {
    rmSync(join(sysfs, rel), { recursive: true, force: true });
    cpSync(join(fixturePaths.sysfs, rel), join(sysfs, rel), { recursive: true, verbatimSymlinks: true });
  };
  reset();
  return { sysfs, reset, remove: () => rmSync(sysfs, { recursive: true, force: true }) };
}

/**
 * Creates an instance of `c` over the fixture trees; a test that scrapes twice keeps it, as the registry does.
 * Every other collector counts as enabled unless `disabled` names it.
 */
export function instantiate<F extends FlagSet>(
  c: Collector<F>,
  opts: { config?: Partial<FlagValues<F>>; paths?: Partial<NodePaths>; log?: Logger; disabled?: string[] } = {},
): CollectorInstance {
  return c.create({
    paths: { ...fixturePaths, ...opts.paths },
    config: { ...defaults(c.flags), ...opts.config },
    log: opts.log ?? createLogger({ level: "error", write: () => {} }),
    isEnabled: (name) => !opts.disabled?.includes(name),
  });
}

/** Scrapes `instance` once and returns its rendered families. */
export async function scrapeText(instance: CollectorInstance, ctx: Partial<ScrapeContext> = {}): Promise<string> {
  const out = new MetricSet();
  await instance.collect(out, { signal: new AbortController().signal, scrape: new ScrapeMemo(), ...ctx });
  return out.render();
}

/** Creates a fresh instance of `c`, scrapes it once and returns its rendered families. */
export function collectText<F extends FlagSet>(
  c: Collector<F>,
  opts: { config?: Partial<FlagValues<F>>; paths?: Partial<NodePaths>; disabled?: string[] } = {},
): Promise<string> {
  return scrapeText(instantiate(c, opts));
}

/** Asserts `text` equals the golden file; UPDATE_GOLDEN=1 writes it instead (review the diff before committing). */
export function expectGolden(name: string, text: string): void {
  const file = join(FIXTURES, "golden", `${name}.prom`);
  if (process.env.UPDATE_GOLDEN === "1" || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== "1") throw new Error(`no golden file ${file}; run with UPDATE_GOLDEN=1`);
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, "utf8"));
}

/**
 * Lints exposition text with `promtool check metrics`. Returns the lint problems; a parse error throws.
 * node_exporter itself keeps a few names promtool dislikes, so callers compare problems with an allow-list.
 */
export function promtoolProblems(text: string): string[] {
  const r = Bun.spawnSync(["promtool", "check", "metrics"], { stdin: Buffer.from(text), stdout: "pipe", stderr: "pipe" });
  const output = (r.stdout.toString() + r.stderr.toString()).trim();
  if (r.exitCode === 0) return [];
  if (r.exitCode !== 3) throw new Error(`promtool check metrics failed (exit ${r.exitCode}): ${output}`);
  return output.split("\n").filter((l) => l.trim() !== "");
}
