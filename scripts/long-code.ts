// Lists the non-test TypeScript files over 300 lines and the function bodies over 80 lines (issue 13's
// "files with one job, functions that fit on a screen"), so a change can check it kept to both.
// Usage: bun scripts/long-code.ts [--files N] [--functions N] [dir...]   (default: packages scripts)
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at < 0 ? fallback : Number(process.argv[at + 1]);
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (entry === "node_modules" || entry === "fixtures") return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(entry) && !/\.test\.tsx?$/.test(entry) && !entry.endsWith(".d.ts") ? [path] : [];
  });
}

function longFunctions(path: string, text: string, limit: number): string[] {
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const line = (pos: number) => file.getLineAndCharacterOfPosition(pos).line + 1;
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) && "body" in node && node.body) {
      const body = node.body as ts.Node;
      const lines = line(body.getEnd()) - line(body.getStart(file)) + 1;
      if (lines > limit) {
        const name = node.name && ts.isIdentifier(node.name) ? node.name.text : "(anonymous)";
        found.push(`${path}:${line(node.getStart(file))} ${name} ${lines}`);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

const fileLimit = option("--files", 300);
const functionLimit = option("--functions", 80);
const dirs = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith("--") && !all[i - 1]?.startsWith("--"));
const files = (dirs.length ? dirs : ["packages", "scripts"]).flatMap(sourceFiles).sort();

const long = files.flatMap((path) => {
  const lines = readFileSync(path, "utf8").trimEnd().split("\n").length;
  return lines > fileLimit ? [`${path} ${lines}`] : [];
});
const functions = files.flatMap((path) => longFunctions(path, readFileSync(path, "utf8"), functionLimit));
console.log(`files over ${fileLimit} lines: ${long.length}`);
for (const row of long) console.log(`  ${row}`);
console.log(`function bodies over ${functionLimit} lines: ${functions.length}`);
for (const row of functions) console.log(`  ${row}`);
