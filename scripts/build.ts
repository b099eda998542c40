// Builds dist/agent: one self-contained executable (`bun build --compile`).
//
// lmdb finds its native addon at run time through node-gyp-build-optional-packages, which searches the
// file system beside the package; inside a compiled binary there is no such directory, and start-up dies
// with "No native build was found". The plugin below rewrites that one dynamic lookup into a static
// `require()` of the addon file, which Bun then embeds in the executable and unpacks at run time.
import { dirname, join, resolve } from "node:path";
import { createRequire } from "node:module";
import { existsSync, renameSync, mkdirSync } from "node:fs";
import type { BunPlugin } from "bun";

const root = resolve(import.meta.dir, "..");
const args = process.argv.slice(2);
const outfile = resolve(root, valueOf("--outfile") ?? "dist/agent");
const target = (valueOf("--target") ?? `bun-linux-${process.arch === "arm64" ? "arm64" : "x64"}`) as Bun.Build.CompileTarget;

function valueOf(flag: string): string | undefined {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
}

/** The lmdb package as the push-store package resolves it (workspaces install it per package). */
function lmdbAddonPath(): string {
  const storeRequire = createRequire(join(root, "packages/pushgateway-store/package.json"));
  const lmdbDir = dirname(storeRequire.resolve("lmdb/package.json"));
  const lmdbRequire = createRequire(join(lmdbDir, "package.json"));
  const arch = target.includes("arm64") ? "arm64" : "x64";
  const platformDir = dirname(lmdbRequire.resolve(`@lmdb/lmdb-linux-${arch}/package.json`));
  // The N-API build works under any runtime ABI, Bun's included.
  const addon = join(platformDir, "node.napi.glibc.node");
  if (!existsSync(addon)) throw new Error(`lmdb native addon not found at ${addon}; run bun install`);
  return addon;
}

const embedLmdbAddon: BunPlugin = {
  name: "embed-lmdb-addon",
  setup(build) {
    const addon = lmdbAddonPath();
    build.onLoad({ filter: /[\\/]lmdb[\\/]native\.js$/ }, async (file) => {
      const source = await Bun.file(file.path).text();
      const patched = source.replace(/loadNAPI\(dirName\)/, `require(${JSON.stringify(addon)})`);
      if (patched === source) throw new Error(`lmdb/native.js changed shape; cannot embed the addon (${file.path})`);
      return { contents: patched, loader: "js" };
    });
    // msgpackr (lmdb's value codec) probes for an optional native extractor with the same dynamic loader;
    // the probe would reach for the build tree's node_modules at run time. Its pure-JS path is used instead.
    build.onResolve({ filter: /^msgpackr-extract$/ }, () => ({ path: "msgpackr-extract", namespace: "absent" }));
    build.onLoad({ filter: /.*/, namespace: "absent" }, () => ({
      contents: 'throw new Error("msgpackr-extract is not embedded");',
      loader: "js",
    }));
  },
};

async function gitRevision(): Promise<string> {
  const p = Bun.spawnSync(["git", "rev-parse", "--short=12", "HEAD"], { cwd: root, stderr: "ignore" });
  return p.exitCode === 0 ? p.stdout.toString().trim() : "unknown";
}

// `--plugin FILE`: one more build plugin, the module's default export (bench/pages builds without the pages so).
const extraPlugin = valueOf("--plugin");
const extraPlugins = extraPlugin ? [(await import(resolve(extraPlugin))).default as BunPlugin] : [];

const version = (await Bun.file(join(root, "package.json")).json()).version as string;
mkdirSync(dirname(outfile), { recursive: true });
// Build to a temporary name and rename, so a test that is running the old binary never sees half a file.
const tmp = `${outfile}.tmp-${process.pid}`;
const started = performance.now();
const result = await Bun.build({
  entrypoints: [
    join(root, "packages/agent/src/main.ts"),
    // Worker threads are separate entry points; the binary finds each under /$bunfs/root/ at its path below
    // packages/ (see packages/node-collector/src/worker-url.ts).
    join(root, "packages/node-collector/src/collectors/gpu/nvml-worker.ts"),
    join(root, "packages/node-collector/src/collectors/textfile-worker.ts"),
  ],
  // A compiled Bun program reads bunfig.toml and .env from its working directory by default; a bunfig.toml
  // `preload` there would run foreign code inside the agent, and a .env would change its environment.
  compile: { target, outfile: tmp, autoloadBunfig: false, autoloadDotenv: false },
  minify: { syntax: true, whitespace: true, identifiers: false },
  // Start-up parses no source: the binary carries JavaScriptCore bytecode for every module (ESM, since
  // main.ts awaits at top level).
  bytecode: true,
  format: "esm",
  sourcemap: "none",
  plugins: [embedLmdbAddon, ...extraPlugins],
  define: {
    AGENT_VERSION: JSON.stringify(version),
    AGENT_REVISION: JSON.stringify(await gitRevision()),
  },
});
if (!result.success) {
  for (const log of result.logs) console.error(log);
  process.exit(1);
}
renameSync(tmp, outfile);
const size = Bun.file(outfile).size;
console.log(`built ${outfile} (${(size / 1048576).toFixed(1)} MiB) in ${Math.round(performance.now() - started)} ms`);
