// Node role variants at a real cadence, side by side with node_exporter: every variant (a binary, and
// environment variables for it) starts fresh beside one node_exporter, each is scraped once every 15 s, and CPU
// per 15 s interval (utime+stime, first interval left out) and RSS at the end are printed for each, with the
// ratio to node_exporter. Compares runtime options and builds where bench/node/run.ts compares one binary.
// `bun bench/node/cadence-ab.ts NAME=BIN[,VAR=VALUE...] ...` (CADENCE_INTERVALS, default 9).
import { startAgent } from "../../test/harness/index.ts";
import { startNodeExporter } from "../../test/node/node-exporter.ts";
import { cpuSeconds, rssKiB } from "../proc.ts";
import { sharedCollectors } from "./collectors.ts";

const INTERVALS = Number(process.env.CADENCE_INTERVALS ?? 9);
const variants = process.argv.slice(2).map((arg) => {
  const [name, spec] = arg.split("=", 2) as [string, string];
  const [bin, ...vars] = spec.split(",");
  return { name, bin: bin!, env: Object.fromEntries(vars.map((v) => v.split("=", 2) as [string, string])) };
});
if (variants.length === 0) {
  console.error("usage: bun bench/node/cadence-ab.ts NAME=BIN[,VAR=VALUE...] ...");
  process.exit(2);
}
const { flags } = sharedCollectors();

const ne = await startNodeExporter(flags);
const agents = [];
try {
  for (const v of variants) agents.push(await startAgent({ roles: ["node"], args: flags, bin: v.bin, env: v.env }));
  const sides = [{ name: "node_exporter", url: ne.url, pid: ne.proc.pid }, ...agents.map((a, i) => ({ name: variants[i]!.name, url: a.urls.node!, pid: a.proc.pid }))];
  let cpu0: number[] = [];
  for (let i = 0; i < INTERVALS; i++) {
    const started = performance.now();
    // Each interval starts with a different side, so none is always scraped first.
    for (let k = 0; k < sides.length; k++) await (await fetch(`${sides[(i + k) % sides.length]!.url}/metrics`)).arrayBuffer();
    await Bun.sleep(Math.max(0, 15000 - (performance.now() - started)));
    if (i === 0) cpu0 = sides.map((s) => cpuSeconds(s.pid));
  }
  const cpu = sides.map((s, i) => ((cpuSeconds(s.pid) - cpu0[i]!) * 1000) / (INTERVALS - 1));
  console.log(`${INTERVALS - 1} intervals of 15 s after the first, one scrape each`);
  sides.forEach((s, i) => {
    const ratio = i === 0 ? "" : `  ratio ${(cpu[i]! / cpu[0]!).toFixed(2)} (target <= 1.0)`;
    console.log(`${s.name.padEnd(16)} CPU ${cpu[i]!.toFixed(1).padStart(6)} ms per 15 s   RSS ${(rssKiB(s.pid) / 1024).toFixed(1).padStart(6)} MiB${ratio}`);
  });
} finally {
  for (const a of agents) await a.stop();
  await ne.stop();
}
