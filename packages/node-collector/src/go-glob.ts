/**
 * Go's filepath.Glob, which node_exporter applies to --collector.textfile.directory: `*`, `?`, `[...]` (with
 * `^` to negate and `-` ranges) and `\` escapes, within one path element; no `**` or braces. Matches come in
 * name order per directory; a directory that cannot be read matches nothing, as in Go.
 */
import { lstatSync, readdirSync } from "node:fs";

function hasMeta(s: string): boolean {
  return /[*?[\\]/.test(s);
}

/** One path element's pattern as a regular expression, or null where Go reports ErrBadPattern. */
export function elementPattern(pattern: string): RegExp | null {
  const literal = (c: string) => c.replace(/[\\^$.*+?()[\]{}|/-]/g, "\\$&");
  let re = "";
  let i = 0;
  // A class member: `-` and `]` must be escaped there, as in Go.
  const member = (): string | null => {
    if (i >= pattern.length || pattern[i] === "-" || pattern[i] === "]") return null;
    if (pattern[i] === "\\" && ++i >= pattern.length) return null;
    return pattern[i++]!;
  };
  while (i < pattern.length) {
    const c = pattern[i++]!;
    if (c === "*") re += "[^/]*";
    else if (c === "?") re += "[^/]";
    else if (c === "\\") {
      if (i >= pattern.length) return null;
      re += literal(pattern[i++]!);
    } else if (c === "[") {
      let cls = "";
      if (pattern[i] === "^") {
        cls = "^";
        i++;
      }
      for (let n = 0; !(pattern[i] === "]" && n > 0); n++) {
        const lo = member();
        if (lo === null) return null;
        let range = literal(lo);
        if (pattern[i] === "-") {
          i++;
          const hi = member();
          if (hi === null) return null;
          range += "-" + literal(hi);
        }
        cls += range;
      }
      i++; // the closing ]
      re += `[${cls}]`;
    } else re += literal(c);
  }
  try {
    return new RegExp(`^${re}$`, "s");
  } catch {
    return null; // a range whose ends are out of order
  }
}

/** The paths `pattern` matches, or null for a malformed pattern. */
export function goGlob(pattern: string): string[] | null {
  if (!hasMeta(pattern)) {
    try {
      lstatSync(pattern);
      return [pattern];
    } catch {
      return [];
    }
  }
  const slash = pattern.lastIndexOf("/");
  const dir = slash < 0 ? "." : slash === 0 ? "/" : pattern.slice(0, slash);
  const file = pattern.slice(slash + 1);
  const re = elementPattern(file);
  if (re === null) return null;
  let dirs: string[] | null = [dir];
  if (hasMeta(dir)) dirs = goGlob(dir);
  if (dirs === null) return null;
  const out: string[] = [];
  for (const d of dirs) {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      continue;
    }
    for (const name of names.sort()) if (re.test(name)) out.push(slash < 0 ? name : (d === "/" ? "" : d) + "/" + name);
  }
  return out;
}
