/**
 * Test support for collector fixture tests: run one collector against the fixture trees, compare its
 * output with fixtures/golden/<name>.prom (UPDATE_GOLDEN=1 rewrites it), and lint text with promtool.
 */
import { expect } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createLogger, MetricSet, type FlagSet, type FlagValues } from "@agent/core";
import { ScrapeMemo, type Collector, type NodePaths } from "../collector.ts";

export const FIXTURES = join(import.meta.dir, "..", "..", "fixtures");

export const fixturePaths: NodePaths = {
  procfs: join(FIXTURES, "proc"),
  sysfs: join(FIXTURES, "sys"),
  rootfs: FIXTURES,
  udevData: join(FIXTURES, "udev", "data"),
};

function defaults<F extends FlagSet>(flags: F | undefined): FlagValues<F> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(flags ?? {})) out[k] = spec.default;
  return out as FlagValues<F>;
}

/** Runs `c` once and returns its rendered families. */
export async function collectText<F extends FlagSet>(
  c: Collector<F>,
  opts: { config?: Partial<FlagValues<F>>; paths?: Partial<NodePaths> } = {},
): Promise<string> {
  const out = new MetricSet();
  await c.collect(out, {
    paths: { ...fixturePaths, ...opts.paths },
    config: { ...defaults(c.flags), ...opts.config },
    log: createLogger({ level: "error", write: () => {} }),
    signal: new AbortController().signal,
    scrape: new ScrapeMemo(),
  });
  return out.render();
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
