/**
 * Values to text in the exposition format 0.0.4: the one float formatter, the one label renderer, names
 * quoted where the text format needs it, and the HELP/TYPE header. Everything that writes exposition text
 * goes through these, so the roles print a number or a label set the same way.
 */
import { isValidLabelName, isValidMetricName, type Labels, type MetricFamily, type MetricType } from "./model.ts";

export function escapeHelp(help: string): string {
  if (!/[\\\n]/.test(help)) return help;
  return help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

export function escapeLabelValue(value: string): string {
  if (!/[\\\n"]/.test(value)) return value;
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

/**
 * A value as Prometheus' expfmt writes it: `NaN`, `+Inf`, `-Inf`, else Go's strconv.FormatFloat(v, 'g', -1):
 * the shortest digits that round-trip, in exponent form when the decimal exponent is below -4 or 6 and up
 * (`1.418183276e+09`, `1.305e-06`, `1e+06`), with at least two exponent digits. node_exporter and Pushgateway
 * both write it so, and byte-for-byte output needs it.
 */
export function formatValue(value: number): string {
  if (value < 1e6 && value > -1e6) {
    if (Number.isInteger(value) || value >= 1e-4 || value <= -1e-4) return String(value);
    if (value === 0) return "0";
  } else if (Number.isNaN(value)) return "NaN";
  else if (value === Infinity) return "+Inf";
  else if (value === -Infinity) return "-Inf";
  // JS's shortest round-trip digits are Go's. Up to 1e21 String() writes them positionally, and moving the
  // point is cheaper than toExponential(): counters in bytes are the bulk of a node scrape.
  const abs = value < 0 ? -value : value;
  if (abs >= 1e6 && abs < 1e21) return (value < 0 ? "-" : "") + exponentForm(String(abs));
  const e = value.toExponential();
  return e.length - e.indexOf("e") === 3 ? e.slice(0, -1) + "0" + e.slice(-1) : e;
}

/** "1418183276" or "1234567.5" (7 to 21 integer digits) as "1.418183276e+09", "1.2345675e+06". */
function exponentForm(positional: string): string {
  const dot = positional.indexOf(".");
  const exp = (dot < 0 ? positional.length : dot) - 1;
  let digits = dot < 0 ? positional : positional.slice(0, dot) + positional.slice(dot + 1);
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48 /* 0 */) end--;
  digits = end === 1 ? digits[0]! : digits[0] + "." + digits.slice(1, end);
  return digits + (exp < 10 ? "e+0" : "e+") + exp;
}


/** A metric name as the text format writes it: bare when classic, else quoted and escaped as a label value is. */
export function renderName(name: string): string {
  return isValidMetricName(name) ? name : '"' + escapeLabelValue(name) + '"';
}

/** A label name as the text format writes it: bare when classic, else quoted. */
export function renderLabelName(name: string): string {
  return isValidLabelName(name) ? name : '"' + escapeLabelValue(name) + '"';
}

/**
 * A series as `name{labels}`, `labels` being `{...}` or "": a name that must be quoted goes first inside the
 * braces, as expfmt writes UTF-8 names.
 */
export function renderSeries(name: string, labels: string): string {
  if (isValidMetricName(name)) return name + labels;
  const quoted = renderName(name);
  return labels === "" ? "{" + quoted + "}" : "{" + quoted + "," + labels.slice(1);
}

function labelPair(name: string, value: string): string {
  return renderLabelName(name) + '="' + escapeLabelValue(value) + '"';
}

/**
 * `{a="1",b="2"}` from flat pairs (`[name, value, ...]`, those in `flat[from..to)`) already in order, with
 * `extra` (its value rendered already) last, pushed onto `out` piece by piece; nothing when empty. A caller
 * that joins many lines' pieces once allocates only the joined text, not a string per line that is garbage
 * once joined.
 */
export function appendLabelPairs(out: string[], flat: readonly string[], extra?: readonly [string, string], from = 0, to = flat.length): void {
  if (from >= to && extra === undefined) return;
  out.push("{");
  for (let i = from; i + 1 < to; i += 2) {
    if (i > from) out.push(",");
    out.push(renderLabelName(flat[i]!), '="', escapeLabelValue(flat[i + 1]!), '"');
  }
  if (extra !== undefined) out.push(to > from ? "," : "", extra[0], '="', extra[1], '"');
  out.push("}");
}

/** appendLabelPairs() as one string; "" when empty. */
export function renderLabelPairs(flat: readonly string[], extra?: readonly [string, string]): string {
  const out: string[] = [];
  appendLabelPairs(out, flat, extra);
  return out.join("");
}

/** `{a="1",b="2"}`, or "" for no labels; names in byte order, as client_golang writes them. */
export function renderLabels(labels: Labels | undefined): string {
  if (!labels) return "";
  let out = "";
  let prev = "";
  for (const key in labels) {
    if (key < prev) return "{" + Object.keys(labels).sort().map((k) => labelPair(k, labels[k]!)).join(",") + "}";
    prev = key;
    out += (out ? "," : "{") + labelPair(key, labels[key]!);
  }
  return out ? out + "}" : "";
}

export function renderSampleLine(name: string, labels: Labels | undefined, value: number, timestampMs?: number): string {
  const ts = timestampMs === undefined ? "" : " " + timestampMs;
  return name + renderLabels(labels) + " " + formatValue(value) + ts + "\n";
}

/**
 * Headers rendered before, by family name: a scrape renders the same few hundred each time, and escaping the
 * help text was a measurable share of it. Bounded, since pushed family names come from clients.
 */
const headers = new Map<string, { type: MetricType; help: string | undefined; text: string }>();
const HEADERS_LIMIT = 10_000;

export function renderHeader(name: string, type: MetricType, help: string | undefined): string {
  const known = headers.get(name);
  if (known !== undefined && known.type === type && known.help === help) return known.text;
  const shown = renderName(name);
  const helpLine = help === undefined ? "" : `# HELP ${shown} ${escapeHelp(help)}\n`;
  const text = `${helpLine}# TYPE ${shown} ${type}\n`;
  if (known !== undefined || headers.size < HEADERS_LIMIT) headers.set(name, { type, help, text });
  return text;
}

/** Renders a parsed or built family as one block of text. */
export function renderFamily(family: MetricFamily): string {
  let out = renderHeader(family.name, family.type, family.help);
  for (const s of family.samples) out += renderSampleLine(s.name, s.labels, s.value, s.timestampMs);
  return out;
}
