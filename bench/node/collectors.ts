import { allCollectors } from "../../packages/node-collector/src/collectors/all.ts";

/** Boolean collector flags node_exporter knows, from its --help. */
function nodeExporterCollectors(): Set<string> {
  const help = Bun.spawnSync(["prometheus-node-exporter", "--help"], { stdout: "pipe", stderr: "pipe" });
  const text = help.stdout.toString() + help.stderr.toString();
  return new Set([...text.matchAll(/--collector\.([a-z_]+)\s+Enable the /g)].map((m) => m[1]!));
}

/**
 * The agent's default collectors that node_exporter also has, and the flags that run exactly those on either
 * side, so both do the same work.
 */
export function sharedCollectors(): { names: string[]; flags: string[] } {
  const theirs = nodeExporterCollectors();
  const names = allCollectors.filter((c) => c.defaultEnabled && theirs.has(c.name)).map((c) => c.name);
  return { names, flags: ["--collector.disable-defaults", ...names.map((n) => `--collector.${n}`)] };
}
