/** What a job hands to push: structured metrics, ready exposition text, or a prom-client style registry. */
import { ParseError, parseText, renderFamily, type MetricFamily } from "@agent/core/exposition";
import { PushError } from "./errors.ts";
import { applyPrefix, labelProblem, nameProblem } from "./naming.ts";

export type MetricKind = "gauge" | "counter" | "untyped";

export interface MetricInput {
  name: string;
  value: number;
  /** Default "gauge". */
  type?: MetricKind;
  help?: string;
  labels?: Readonly<Record<string, string>>;
}

/** Anything with a `metrics()` method that returns exposition text, such as a prom-client `Registry`. */
export interface MetricSource {
  metrics(): string | Promise<string>;
}

export type Metrics = string | readonly MetricInput[] | MetricSource;

export interface RenderOptions {
  prefix?: string;
  /** Added to every sample that does not carry the label itself. */
  labels?: Readonly<Record<string, string>>;
}

export interface Rendered {
  text: string;
  /** One reason per metric left out for breaking the naming rules. */
  dropped: string[];
}

function inputProblem(m: MetricInput, name: string, type: MetricKind): string | undefined {
  if (typeof m.value !== "number") return `"${name}" has a value that is not a number`;
  const bad = nameProblem(name, type);
  if (bad) return bad;
  for (const label of Object.keys(m.labels ?? {})) {
    const problem = labelProblem(label);
    if (problem) return `${name}: ${problem}`;
  }
  return undefined;
}

/** Structured metrics -> text, one family per name; a label the metric sets itself wins over a standard one. */
export function renderInputs(inputs: readonly MetricInput[], opts: RenderOptions = {}): Rendered {
  const families = new Map<string, MetricFamily>();
  const dropped: string[] = [];
  for (const m of inputs) {
    const type = m.type ?? "gauge";
    const name = applyPrefix(opts.prefix, m.name);
    const problem = inputProblem(m, name, type);
    if (problem) {
      dropped.push(problem);
      continue;
    }
    let family = families.get(name);
    if (!family) {
      family = { name, type, help: m.help, samples: [] };
      families.set(name, family);
    } else if (family.type !== type) {
      dropped.push(`"${name}" is pushed as both ${family.type} and ${type}`);
      continue;
    }
    family.samples.push({ name, labels: { ...opts.labels, ...m.labels }, value: m.value });
  }
  let text = "";
  for (const family of families.values()) text += renderFamily(family);
  return { text, dropped };
}

/** Exposition text with `labels` added to every sample; the text is checked as the gateway would check it. */
export function labelText(text: string, labels: Readonly<Record<string, string>> = {}): string {
  let families: MetricFamily[];
  try {
    // A missing final newline is the one slip every hand-written string makes; the gateway would refuse it.
    families = parseText(text === "" || text.endsWith("\n") ? text : text + "\n");
  } catch (e) {
    if (e instanceof ParseError) throw new PushError("config", `the metrics text is not valid: ${e.message}`);
    throw e;
  }
  let out = "";
  for (const family of families) {
    for (const s of family.samples) s.labels = { ...labels, ...s.labels };
    out += renderFamily(family);
  }
  return out;
}

/** Renders any accepted input; throws a "config" PushError for text that does not parse. */
export async function renderMetrics(metrics: Metrics, opts: RenderOptions = {}): Promise<Rendered> {
  if (typeof metrics === "string") return { text: labelText(metrics, opts.labels), dropped: [] };
  if (Array.isArray(metrics)) return renderInputs(metrics, opts);
  return { text: labelText(await (metrics as MetricSource).metrics(), opts.labels), dropped: [] };
}
