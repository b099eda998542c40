/**
 * Command line + optional YAML file -> validated values. Precedence: defaults < config file < flags.
 * Every error is a ConfigError whose message names the flag or key at fault.
 */
import { ConfigError, type FlagSet, type FlagSpec, type FlagValues } from "./flag.ts";
import { closestName, didYouMean, flagWords } from "./suggest.ts";

export interface FlagGroup {
  /** Shown as the heading in --help, e.g. "push role". */
  title: string;
  flags: FlagSet;
}

export interface ParsedCommandLine {
  /** Raw values by flag name, before defaults; strings from argv, anything from the file. */
  values: Map<string, unknown>;
  /** Words after `--`, for subcommands that wrap another program. */
  rest: string[];
  help: boolean;
  version: boolean;
}

function indexFlags(groups: readonly FlagGroup[]): Map<string, FlagSpec<unknown>> {
  const index = new Map<string, FlagSpec<unknown>>();
  for (const g of groups) {
    for (const f of Object.values(g.flags)) {
      if (index.has(f.name)) throw new Error(`flag --${f.name} is declared twice`);
      index.set(f.name, f);
    }
  }
  return index;
}

/** Reads `argv` (without the program and subcommand words). */
export function parseArgv(argv: readonly string[], groups: readonly FlagGroup[]): ParsedCommandLine {
  const index = indexFlags(groups);
  const values = new Map<string, unknown>();
  const out: ParsedCommandLine = { values, rest: [], help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === "--") {
      out.rest = argv.slice(i + 1);
      break;
    }
    if (word === "-h" || word === "--help") {
      out.help = true;
      continue;
    }
    if (word === "--version") {
      out.version = true;
      continue;
    }
    if (!word.startsWith("--")) throw new ConfigError(`unexpected argument "${word}" (flags start with --; see --help)`);
    const eq = word.indexOf("=");
    const name = word.slice(2, eq < 0 ? undefined : eq);
    const inline = eq < 0 ? undefined : word.slice(eq + 1);
    let spec = index.get(name);
    if (!spec && name.startsWith("no-")) {
      const positive = index.get(name.slice(3));
      if (positive?.boolean && inline === undefined) {
        values.set(positive.name, false);
        continue;
      }
    }
    if (!spec) throw new ConfigError(`unknown flag --${name}${didYouMean(name, flagWords(index.values())) || " (see --help)"}`);
    if (spec.fileOnly) throw new ConfigError(`--${name} can only be set in the config file`);
    if (spec.boolean) {
      values.set(name, inline ?? true);
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (i + 1 >= argv.length) throw new ConfigError(`--${name} needs a value`);
      value = argv[++i]!;
    }
    if (spec.repeatable) values.set(name, [...((values.get(name) as string[] | undefined) ?? []), value]);
    else values.set(name, value);
  }
  return out;
}

/** Flattens a YAML document into flag names: `{push: {listen-address: x}}` and `{"push.listen-address": x}` alike. */
export function flattenConfigFile(doc: unknown, groups: readonly FlagGroup[], source: string): Map<string, unknown> {
  const index = indexFlags(groups);
  const out = new Map<string, unknown>();
  if (doc === null || doc === undefined) return out;
  const walk = (node: unknown, prefix: string) => {
    if (typeof node !== "object" || node === null || Array.isArray(node)) {
      throw new ConfigError(prefix ? `${source}: "${prefix}" is not a known setting` : `${source}: expected a mapping of settings (e.g. "roles: [node]") at the top`);
    }
    for (const [key, value] of Object.entries(node)) {
      const name = prefix ? `${prefix}.${key}` : key;
      if (index.has(name)) out.set(name, value);
      else if (typeof value === "object" && value !== null && !Array.isArray(value)) walk(value, name);
      else {
        const near = closestName(name, index.keys());
        throw new ConfigError(`${source}: unknown key "${name}"${near === undefined ? "" : ` (did you mean "${near}"?)`}`);
      }
    }
  };
  walk(doc, "");
  return out;
}

/**
 * Where a YAML text stops parsing, 1-based, for the error message (Bun's YAML errors carry no position):
 * the line after the longest run of whole lines that parses, and on it the column after the longest
 * prefix that still parses. A config file is small, so parsing it again a few dozen times costs nothing.
 */
export function yamlErrorPosition(text: string): { line: number; column: number } | undefined {
  const parses = (t: string) => {
    try {
      Bun.YAML.parse(t);
      return true;
    } catch {
      return false;
    }
  };
  const lines = text.split("\n");
  let good = 0;
  let head = "";
  for (let i = 0; i < lines.length; i++) {
    const next = head + lines[i] + "\n";
    if (parses(next)) good = i + 1;
    head = next;
  }
  if (good >= lines.length) return undefined;
  const before = lines.slice(0, good).map((l) => l + "\n").join("");
  const line = lines[good]!;
  let column = 0;
  while (column < line.length && parses(before + line.slice(0, column + 1))) column++;
  return { line: good + 1, column: column + 1 };
}

export async function readConfigFile(path: string, groups: readonly FlagGroup[]): Promise<Map<string, unknown>> {
  let text: string;
  try {
    text = await Bun.file(path).text();
  } catch (e) {
    throw new ConfigError(`--config.file: cannot read ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = Bun.YAML.parse(text);
  } catch (e) {
    const at = yamlErrorPosition(text);
    const where = at ? `:${at.line}:${at.column}` : "";
    throw new ConfigError(`--config.file: ${path}${where} is not valid YAML: ${(e as Error).message.replace(/^YAML Parse error: /, "")}`);
  }
  return flattenConfigFile(doc, groups, path);
}

/** Applies defaults and parses each raw value with its spec. File values first, flags over them. */
export function resolveFlags<F extends FlagSet>(flags: F, ...layers: Map<string, unknown>[]): FlagValues<F> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(flags)) {
    let raw: unknown = undefined;
    for (const layer of layers) if (layer.has(spec.name)) raw = layer.get(spec.name);
    out[key] = raw === undefined ? spec.default : spec.parse(raw);
  }
  return out as FlagValues<F>;
}

/** `--help` text: every flag, grouped, with its default. */
export function formatHelp(usage: string, groups: readonly FlagGroup[]): string {
  const lines = [usage, ""];
  for (const g of groups) {
    const specs = Object.values(g.flags);
    if (specs.length === 0) continue;
    lines.push(`${g.title}:`);
    for (const f of specs) {
      const shown = f.show(f.default);
      const head = f.fileOnly ? `  ${f.name} (config file)` : f.boolean ? `  --[no-]${f.name}` : `  --${f.name}=${JSON.stringify(shown)}`;
      const def = f.boolean ? ` (default ${f.default ? "on" : "off"})` : "";
      lines.push(head, `      ${f.help}${def}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
