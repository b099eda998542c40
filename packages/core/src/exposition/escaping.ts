/**
 * UTF-8 names for scrapers that cannot read them, as prometheus/common's model and expfmt handle them: a
 * scrape's Accept header may name an escaping scheme (`escaping=allow-utf-8|underscores|dots|values`), the
 * default being underscores; a name outside the classic pattern is then rewritten by that scheme. `values`
 * (`U__` and hex code points) can be undone, which Pushgateway does for label names in push paths.
 */
import { isValidMetricName } from "./model.ts";
import { isMetricNameChar, isMetricNameStart } from "./text-scan.ts";

export type EscapingScheme = "allow-utf-8" | "underscores" | "dots" | "values";

const SCHEMES: ReadonlySet<string> = new Set<EscapingScheme>(["allow-utf-8", "underscores", "dots", "values"]);

/**
 * The scheme a scrape asks for: the `escaping` parameter of any media range in Accept (the last one given
 * wins, unknown values are ignored, as expfmt.Negotiate does), else underscores.
 */
export function negotiateEscaping(accept: string | undefined): EscapingScheme {
  let scheme: EscapingScheme = "underscores";
  for (const m of (accept ?? "").matchAll(/;\s*escaping\s*=\s*"?([\w-]+)"?/gi)) {
    if (SCHEMES.has(m[1]!)) scheme = m[1]! as EscapingScheme;
  }
  return scheme;
}

/** A rune a classic metric name may hold at this place. */
function isLegacyRune(c: number, first: boolean): boolean {
  return first ? isMetricNameStart(c) : isMetricNameChar(c);
}

/** `name` rewritten by `scheme` when it is not a classic metric name; classic names pass unchanged. */
export function escapeName(name: string, scheme: EscapingScheme): string {
  if (scheme === "allow-utf-8" || name === "" || isValidMetricName(name)) return name;
  let out = scheme === "values" ? "U__" : "";
  let first = true;
  for (const ch of name) {
    const c = ch.codePointAt(0)!;
    if (scheme === "underscores") out += isLegacyRune(c, first) ? ch : "_";
    else if (c === 95) out += "__";
    else if (scheme === "dots" && c === 46) out += "_dot_";
    else if (isLegacyRune(c, first)) out += ch;
    else if (scheme === "dots") out += "__";
    else out += "_" + c.toString(16) + "_";
    first = false;
  }
  return out;
}

/**
 * Undoes `values` escaping: `U__` then runes, `__` for `_`, `_<hex>_` for any other code point. A name that
 * is not such an escape, or not a valid one, is returned as it is (model.UnescapeName's rule).
 */
export function unescapeValuesName(name: string): string {
  if (!name.startsWith("U__")) return name;
  let out = "";
  for (let i = 3; i < name.length; i++) {
    const c = name[i]!;
    if (c !== "_") {
      out += c;
      continue;
    }
    if (name[i + 1] === "_") {
      out += "_";
      i++;
      continue;
    }
    const close = name.indexOf("_", i + 1);
    const hex = close < 0 ? "" : name.slice(i + 1, close);
    if (!/^[0-9a-fA-F]{1,6}$/.test(hex)) return name;
    const code = parseInt(hex, 16);
    // Surrogates and values past U+10FFFF are not runes.
    if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return name;
    out += String.fromCodePoint(code);
    i = close;
  }
  return out;
}

/** The index just past the closing quote of the quoted string whose opening quote is at `p`. */
function quotedEnd(line: string, p: number): number {
  for (let i = p + 1; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34 /* " */) return i + 1;
    if (c === 92 /* \ */) i++;
  }
  return line.length;
}

/** The quoted string whose opening quote is at `p`: its text unescaped, and the index just past its closing quote. */
function readQuoted(line: string, p: number): [string, number] {
  const end = quotedEnd(line, p);
  const raw = line.slice(p + 1, end - 1);
  return [raw.includes("\\") ? raw.replace(/\\(.)/g, (_, e: string) => (e === "n" ? "\n" : e)) : raw, end];
}

const SUFFIXES = ["_bucket", "_sum", "_count"];

/** A sample's name escaped; a histogram or summary part keeps its suffix after its family's escaped name, as expfmt writes it. */
function escapeSampleName(name: string, family: string, scheme: EscapingScheme): string {
  if (name.startsWith(family)) {
    const suffix = name.slice(family.length);
    if (suffix === "" || SUFFIXES.includes(suffix)) return escapeName(family, scheme) + suffix;
  }
  return escapeName(name, scheme);
}

/** One sample line with every quoted name escaped. */
function escapeSampleLine(line: string, family: string, scheme: EscapingScheme): string {
  if (!line.includes('{"') && !line.includes(',"')) return line;
  let out: string;
  let p: number;
  if (line.startsWith('{"')) {
    const [name, end] = readQuoted(line, 1);
    out = escapeSampleName(name, family, scheme);
    if (line[end] === "}") return out + line.slice(end + 1);
    out += "{";
    p = end + 1;
  } else {
    const brace = line.indexOf("{");
    const space = line.indexOf(" ");
    if (brace < 0 || brace > space) return line;
    out = line.slice(0, brace + 1);
    p = brace + 1;
  }
  while (p < line.length && line[p] !== "}") {
    if (line[p] === ",") {
      out += ",";
      p++;
      continue;
    }
    if (line[p] === '"') {
      const [name, end] = readQuoted(line, p);
      out += escapeName(name, scheme);
      p = end;
    } else {
      const eq = line.indexOf("=", p);
      out += line.slice(p, eq);
      p = eq;
    }
    // `=` and the value, copied as written.
    const end = quotedEnd(line, p + 1);
    out += line.slice(p, end);
    p = end;
  }
  return out + line.slice(p);
}

/**
 * Text exposition as a scraper that asked for `scheme` gets it: every quoted (UTF-8) metric or label name
 * escaped and written bare, the metric name moved out of the braces. Label values, values and classic names
 * are left as they are. The text must be in the form the writers here produce (TYPE before samples).
 */
export function escapeExposition(text: string, scheme: EscapingScheme): string {
  if (scheme === "allow-utf-8" || (!text.includes('{"') && !text.includes(',"') && !text.includes('# TYPE "'))) return text;
  let out = "";
  let family = "";
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const line = text.slice(start, end);
    if (line.startsWith("# HELP ") || line.startsWith("# TYPE ")) {
      if (line[7] === '"') {
        const [name, after] = readQuoted(line, 7);
        family = name;
        out += line.slice(0, 7) + escapeName(name, scheme) + line.slice(after);
      } else {
        family = line.slice(7, line.indexOf(" ", 7));
        out += line;
      }
    } else out += escapeSampleLine(line, family, scheme);
    out += end < text.length ? "\n" : "";
    start = end + 1;
  }
  return out;
}
