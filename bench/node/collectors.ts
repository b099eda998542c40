/** Boolean collector flags node_exporter knows, from its --help. */
export function nodeExporterCollectors(): Set<string> {
  const help = Bun.spawnSync(["prometheus-node-exporter", "--help"], { stdout: "pipe", stderr: "pipe" });
  const text = help.stdout.toString() + help.stderr.toString();
  return new Set([...text.matchAll(/--collector\.([a-z_]+)\s+Enable the /g)].map((m) => m[1]!));
}
