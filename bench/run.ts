// `bun run bench [area ...]`: runs bench/<area>/run.ts for each area given, or for all of them.
// Each benchmark compares the agent with the program it replaces, side by side in one run, and prints ratios.
import { readdirSync, existsSync } from "node:fs";
import { join } from "node:path";

const here = import.meta.dir;
const all = readdirSync(here, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(here, d.name, "run.ts")))
  .map((d) => d.name)
  .sort();
const wanted = process.argv.slice(2);
for (const area of wanted) {
  if (!all.includes(area)) {
    console.error(`bench: no benchmark "${area}" (have: ${all.join(", ")})`);
    process.exit(2);
  }
}
let failed = false;
for (const area of wanted.length ? wanted : all) {
  console.log(`\n=== bench ${area} ===`);
  const p = Bun.spawnSync(["bun", join(here, area, "run.ts")], { stdout: "inherit", stderr: "inherit" });
  if (p.exitCode !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
