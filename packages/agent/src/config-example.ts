/**
 * deploy/agent.yml is generated from the flag specs themselves, so the example names every key the agent
 * accepts, with its help and default, and cannot drift from the code (test/deploy/agent-yml.test.ts checks).
 */
import type { FlagGroup, FlagSpec } from "@agent/core";

function wrap(text: string, width = 100): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}

function yamlValue(spec: FlagSpec<unknown>): string {
  if (spec.boolean) return String(spec.default);
  if (spec.fileOnly) return JSON.stringify(spec.default);
  return JSON.stringify(spec.show(spec.default));
}

export function exampleConfig(groups: readonly FlagGroup[]): string {
  const out = [
    "# agent configuration: every key the agent accepts, set to its default.",
    "# Keys are the flag names (`--push.listen-address` is `push.listen-address`); nested mappings work too",
    "# (push: {listen-address: ...}). Flags on the command line override this file. Delete what you keep at",
    "# the default. Generated from the flag definitions by `bun scripts/agent-yml.ts`; do not edit by hand.",
  ];
  for (const group of groups) {
    const specs = Object.values(group.flags).filter((s) => s.name !== "config.file");
    if (specs.length === 0) continue;
    out.push("", `# ${"=".repeat(3)} ${group.title} ${"=".repeat(Math.max(3, 96 - group.title.length))}`);
    for (const spec of specs) {
      out.push(...wrap(spec.help).map((l) => `# ${l}`));
      // A toggle whose unset default differs from an explicit value (the node role's collector switches, which
      // --collector.disable-defaults treats differently once set) stays commented out.
      const explicitOnly = spec.boolean && typeof spec.default !== "boolean";
      out.push(explicitOnly ? `# ${spec.name}: ${Boolean(spec.default)}` : `${spec.name}: ${yamlValue(spec)}`);
    }
  }
  return out.join("\n") + "\n";
}
