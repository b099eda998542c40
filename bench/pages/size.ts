/**
 * What the built-in pages cost in binary size: builds the agent as usual and once with the page modules
 * swapped for empty stand-ins (without-pages.ts), and prints both sizes and the difference. The issue's
 * bound is 2 MiB; exits 1 above it. `bun bench/run.ts pages` (or `bun bench/pages/size.ts`).
 */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "../../test/harness/index.ts";

const BOUND = 2 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "bench-pages-"));

function build(outfile: string, extra: string[] = []): number {
  const p = Bun.spawnSync(["bun", join(REPO_ROOT, "scripts/build.ts"), "--outfile", outfile, ...extra], { stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`build failed: ${p.stderr.toString()}`);
  return statSync(outfile).size;
}

/** Texts only the pages carry: two roles' headings, the push page's filter label, a rule of the shared stylesheet. */
const MARKERS = ["Host overview", "Lustre load", "Filter by label text", "figure.spark path.line"];

async function markersIn(file: string): Promise<string[]> {
  const bytes = Buffer.from(await Bun.file(file).arrayBuffer());
  return MARKERS.filter((m) => bytes.includes(m));
}

try {
  const withPages = join(dir, "agent");
  const withoutPages = join(dir, "agent-without-pages");
  const full = build(withPages);
  const bare = build(withoutPages, ["--plugin", join(import.meta.dir, "without-pages.ts")]);
  const [inFull, inBare] = [await markersIn(withPages), await markersIn(withoutPages)];
  if (inFull.length !== MARKERS.length || inBare.length > 0) {
    throw new Error(`the stand-ins did not all take effect: the full binary holds ${JSON.stringify(inFull)}, the other ${JSON.stringify(inBare)}`);
  }
  const mib = (n: number) => `${(n / 1048576).toFixed(3)} MiB`;
  const diff = full - bare;
  console.log(`binary with pages:    ${full} bytes (${mib(full)})`);
  console.log(`binary without pages: ${bare} bytes (${mib(bare)})`);
  // The executable's embedded code is padded to whole 4 KiB pages, so the difference is exact to 4 KiB.
  console.log(`pages add:            ${diff} bytes (${(diff / 1024).toFixed(1)} KiB), ${((diff / BOUND) * 100).toFixed(1)} % of the 2 MiB bound`);
  if (diff > BOUND) process.exitCode = 1;
} finally {
  rmSync(dir, { recursive: true, force: true });
}
