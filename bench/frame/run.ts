// The appliance as a whole, side by side with the two programs `agent --roles node,push` replaces (Debian's
// node_exporter and Pushgateway, run together): size on disk, start-up time until every role answers ready
// (median of N starts), RSS at idle after a few scrapes of each, and wake-ups at idle: both started side by side,
// asked nothing but readiness (on connections that close), left IDLE_SETTLE_S, then every thread's runs on a CPU
// counted over 15 s. `bun bench/run.ts frame` (or `bun bench/frame/run.ts [starts]`); $AGENT_BIN picks the binary.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentBinary, freePort } from "../../test/harness/index.ts";
import { rssKiB, runsOnCpu } from "../proc.ts";

const STARTS = Number(process.argv[2] ?? 10);
const SCRAPES = 5;
/** Bun's GC timer runs every second for about the first 30 s of a process, then backs off. */
const IDLE_SETTLE_S = 45;
const IDLE_WINDOW_S = 15;

interface Program {
  name: string;
  /** Files on disk that make it up. */
  files: string[];
  /** Spawns it on fresh ports; returns the process(es) and the URLs that answer 200 once it is ready. */
  start(): Promise<{ procs: Bun.Subprocess[]; ready: string[]; metrics: string[]; cleanup(): void }>;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function untilOk(url: string, deadline: number): Promise<void> {
  while (performance.now() < deadline) {
    const ok = await fetch(url, { keepalive: false }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    await Bun.sleep(2);
  }
  throw new Error(`${url} not ready`);
}

const agent: Program = {
  name: "agent --roles node,push",
  files: [agentBinary()],
  async start() {
    const [node, push] = [await freePort(), await freePort()];
    const dir = mkdtempSync(join(tmpdir(), "bench-frame-"));
    const proc = Bun.spawn(
      [agentBinary(), "--roles", "node,push", `--node.listen-address=127.0.0.1:${node}`, `--push.listen-address=127.0.0.1:${push}`, `--storage.path=${dir}`],
      { stdout: "ignore", stderr: "ignore" },
    );
    return {
      procs: [proc],
      ready: [`http://127.0.0.1:${node}/-/ready`, `http://127.0.0.1:${push}/-/ready`],
      metrics: [`http://127.0.0.1:${node}/metrics`, `http://127.0.0.1:${push}/metrics`],
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

const theirs: Program = {
  name: "node_exporter + pushgateway",
  files: [Bun.which("prometheus-node-exporter")!, Bun.which("prometheus-pushgateway")!],
  async start() {
    const [node, push] = [await freePort(), await freePort()];
    const ne = Bun.spawn(["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${node}`], { stdout: "ignore", stderr: "ignore" });
    const pg = Bun.spawn(["prometheus-pushgateway", `--web.listen-address=127.0.0.1:${push}`, "--persistence.file="], { stdout: "ignore", stderr: "ignore" });
    return {
      procs: [ne, pg],
      // node_exporter 1.5 has no /-/ready; its landing page answers once it serves.
      ready: [`http://127.0.0.1:${node}/`, `http://127.0.0.1:${push}/-/ready`],
      metrics: [`http://127.0.0.1:${node}/metrics`, `http://127.0.0.1:${push}/metrics`],
      cleanup: () => {},
    };
  },
};

async function measure(p: Program) {
  const startMs: number[] = [];
  let rss = 0;
  for (let i = 0; i < STARTS; i++) {
    const t = performance.now();
    const run = await p.start();
    try {
      await Promise.all(run.ready.map((u) => untilOk(u, t + 20000)));
      startMs.push(performance.now() - t);
      if (i === STARTS - 1) {
        for (let s = 0; s < SCRAPES; s++) for (const u of run.metrics) await (await fetch(u)).text();
        await Bun.sleep(2000);
        rss = run.procs.reduce((sum, proc) => sum + rssKiB(proc.pid), 0);
      }
    } finally {
      for (const proc of run.procs) proc.kill("SIGTERM");
      await Promise.all(run.procs.map((proc) => proc.exited));
      run.cleanup();
    }
  }
  const bytes = p.files.reduce((sum, f) => sum + statSync(f).size, 0);
  return { name: p.name, sizeMiB: bytes / 1048576, startMs: median(startMs), rssMiB: rss / 1024 };
}

/** Wake-ups (runs on a CPU, all threads of all processes) per IDLE_WINDOW_S of each program, measured at once. */
async function idleWakeups(programs: Program[]): Promise<number[]> {
  const runs = await Promise.all(programs.map((p) => p.start()));
  try {
    const t = performance.now();
    for (const run of runs) await Promise.all(run.ready.map((u) => untilOk(u, t + 20000)));
    await Bun.sleep(IDLE_SETTLE_S * 1000);
    const count = () => runs.map((run) => run.procs.reduce((sum, proc) => sum + runsOnCpu(proc.pid), 0));
    const before = count();
    await Bun.sleep(IDLE_WINDOW_S * 1000);
    return count().map((n, i) => n - before[i]!);
  } finally {
    for (const run of runs) for (const proc of run.procs) proc.kill("SIGTERM");
    await Promise.all(runs.flatMap((run) => run.procs.map((proc) => proc.exited)));
    for (const run of runs) run.cleanup();
  }
}

console.log(`starts: ${STARTS} (median), then ${SCRAPES} scrapes of each /metrics and 2 s idle before RSS; binary: ${agentBinary()}`);
const rows = [await measure(theirs), await measure(agent)];
const wakeups = await idleWakeups([theirs, agent]);
for (const [i, r] of rows.entries()) {
  console.log(
    `${r.name.padEnd(30)} size ${r.sizeMiB.toFixed(1).padStart(6)} MiB   start-up to ready ${r.startMs.toFixed(0).padStart(5)} ms   idle RSS ${r.rssMiB.toFixed(1).padStart(6)} MiB   idle wake-ups ${String(wakeups[i]).padStart(4)} per ${IDLE_WINDOW_S} s`,
  );
}
const [t, a] = rows as [(typeof rows)[0], (typeof rows)[0]];
console.log(
  `ratio agent/theirs: size ${(a.sizeMiB / t.sizeMiB).toFixed(2)}, start-up ${(a.startMs / t.startMs).toFixed(2)}, idle RSS ${(a.rssMiB / t.rssMiB).toFixed(2)}, idle wake-ups ${(wakeups[1]! / wakeups[0]!).toFixed(2)}`,
);
