/** "Did you mean" for a mistyped flag or key: the known name nearest by edit distance, if it is near enough. */
import type { FlagSpec } from "./flag.ts";

/** Levenshtein distance: single-character insertions, deletions and substitutions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/**
 * The candidate nearest to `name`, when it is within 2 edits, or a fifth of the name's length for long dotted
 * names (`collector.textfile.directry`); the first of equally near ones. Undefined when none is that near.
 */
export function closestName(name: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(name.length / 5));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestDistance) continue;
    const d = editDistance(name, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** ` (did you mean --x?)` for an unknown flag, or "" when no known flag is near. */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const near = closestName(name, candidates);
  return near === undefined ? "" : ` (did you mean --${near}?)`;
}

/** Every word a flag can be given as on the command line: its name, and `no-name` for a boolean. */
export function* flagWords(specs: Iterable<FlagSpec<unknown>>): Generator<string> {
  for (const f of specs) {
    if (f.fileOnly) continue;
    yield f.name;
    if (f.boolean) yield `no-${f.name}`;
  }
}
