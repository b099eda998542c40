// Issue 12, the node role's files: hostile textfiles (a FIFO, links to /dev/zero and /dev/urandom, a file over
// the size cap, a directory that is missing, one on a mount that never answers) cost an error on that file and
// nothing else: the agent, started with --roles node,push, goes on answering pushes in the same process while
// it scrapes them. Repeated series and a missing directory are served as the real node_exporter serves them.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { canHangMount, hangMount } from "../../packages/node-collector/src/testing/hung-mount.ts";
import { startAgent, statusKiB, type RunningAgent } from "../harness/index.ts";
import { startNodeExporter } from "./node-exporter.ts";

setDefaultTimeout(60_000);

const root = mkdtempSync(join(tmpdir(), "textfile-hostile-"));
// The push store lives in memory (tmpfs) where there is one: what is timed is whether the textfiles hold up the
// process, and each push's sync to a disk other programs are writing to took up to 812 ms here.
const storeRoot = mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "textfile-hostile-store-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(storeRoot, { recursive: true, force: true });
});
const memoryStore = (name: string) => mkdtempSync(join(storeRoot, name));

function dirWith(name: string, files: Record<string, string>): string {
  const d = join(root, name);
  mkdirSync(d);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(d, file), text);
  return d;
}

const DUPLICATES = {
  "a.prom": '# HELP dup_metric From a.\n# TYPE dup_metric gauge\ndup_metric{k="x"} 1\ndup_metric{k="y"} 5\n',
  "b.prom": '# HELP dup_metric From a.\n# TYPE dup_metric gauge\ndup_metric{k="x"} 2\ndup_metric{k="z"} 7\n',
  "c.prom": "nohelp_metric 1\n",
  "d.prom": "nohelp_metric 2\n",
};

interface Pushes {
  /** Milliseconds each push took, in order. */
  latencies: number[];
  /** Statuses other than 200. */
  failures: number[];
  last: number;
}

/**
 * Pushes to the push role one after another until `work` settles, timing each; returns work's result and
 * the pushes. The value pushed counts up, so the last one acknowledged can be looked for afterwards.
 */
async function pushingDuring<T>(pushUrl: string, work: () => Promise<T>): Promise<{ result: T; pushes: Pushes }> {
  const pushes: Pushes = { latencies: [], failures: [], last: 0 };
  let done = false;
  const loop = (async () => {
    for (let i = 1; !done; i++) {
      const started = performance.now();
      const r = await fetch(`${pushUrl}/metrics/job/latency`, { method: "PUT", body: `pushed_value ${i}\n` });
      await r.arrayBuffer();
      pushes.latencies.push(performance.now() - started);
      if (r.status === 200) pushes.last = i;
      else pushes.failures.push(r.status);
    }
  })();
  try {
    return { result: await work(), pushes };
  } finally {
    done = true;
    await loop;
  }
}

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

function describePushes(what: string, p: Pushes): string {
  const l = p.latencies;
  return `${what}: ${l.length} pushes, median ${quantile(l, 0.5).toFixed(1)} ms, p99 ${quantile(l, 0.99).toFixed(1)} ms, max ${Math.max(...l).toFixed(1)} ms`;
}

/** Scrapes the node role `n` times one after another; returns the bodies and each scrape's milliseconds. */
async function scrapes(nodeUrl: string, n: number): Promise<{ bodies: string[]; ms: number[] }> {
  const bodies: string[] = [];
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const r = await fetch(`${nodeUrl}/metrics`);
    bodies.push(await r.text());
    ms.push(performance.now() - started);
    expect(r.status).toBe(200);
  }
  return { bodies, ms };
}

async function lastPushed(agent: RunningAgent): Promise<number> {
  const text = await (await fetch(`${agent.urls.push}/metrics`)).text();
  return Number(/^pushed_value\{[^}]*\} (\d+)$/m.exec(text)?.[1]);
}

/**
 * The first scrape runs every collector cold (over 100 ms on a busy machine, textfiles or not), and the first push
 * makes the store's first commit and sync (733 ms once in a loaded full run): neither is what the tests time.
 */
async function warmUp(agent: RunningAgent): Promise<void> {
  await fetch(`${agent.urls.node}/metrics`).then((r) => r.text());
  expect((await fetch(`${agent.urls.push}/metrics/job/latency`, { method: "PUT", body: "pushed_value 0\n" })).status).toBe(200);
}

function threads(pid: number): number {
  return Number(/^Threads:\s+(\d+)$/m.exec(readFileSync(`/proc/${pid}/status`, "latin1"))?.[1]);
}

describe("hostile textfiles, with the push role in the same process", () => {
  let agent: RunningAgent;
  let hostile: string;
  let missing: string;

  beforeAll(async () => {
    hostile = dirWith("hostile", { "good.prom": "hostile_good 1\n", ...DUPLICATES });
    expect(Bun.spawnSync(["mkfifo", join(hostile, "fifo.prom")]).exitCode).toBe(0);
    symlinkSync("/dev/zero", join(hostile, "zero.prom"));
    symlinkSync("/dev/urandom", join(hostile, "urandom.prom"));
    // Sparse, one byte over the default --collector.textfile.max-bytes of 64 MiB: refused before any read.
    writeFileSync(join(hostile, "big.prom"), "");
    truncateSync(join(hostile, "big.prom"), 64 * 1024 * 1024 + 1);
    missing = join(root, "missing");
    agent = await startAgent({ roles: ["node", "push"], storagePath: memoryStore("hostile"), args: [`--collector.textfile.directory=${hostile},${missing}`] });
    await warmUp(agent);
  });
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
  });

  test("each bad file and the missing directory is an error on its own; the rest is served, and pushes are not held up", async () => {
    const { result, pushes } = await pushingDuring(agent.urls.push!, () => scrapes(agent.urls.node!, 40));
    console.log(describePushes("pushes during 40 scrapes of hostile textfiles", pushes) + `; scrapes: max ${Math.max(...result.ms).toFixed(0)} ms`);
    expect(pushes.failures).toEqual([]);
    expect(pushes.latencies.length).toBeGreaterThan(10);
    // Before the fix the FIFO stalled every push until a signal came, and /dev/zero for 30 s. A loaded machine
    // delays a push now and then by itself (153 ms seen at load 8 on 2 cores), so the bound is on the median and
    // far under those stalls for the slowest.
    expect(quantile(pushes.latencies, 0.5)).toBeLessThan(100);
    expect(Math.max(...pushes.latencies)).toBeLessThan(1000);
    expect(Math.max(...result.ms)).toBeLessThan(2000);
    for (const body of result.bodies) {
      expect(body).toContain("hostile_good 1\n");
      expect(body).toContain("node_textfile_scrape_error 1\n");
      expect(body).toContain('node_scrape_collector_success{collector="textfile"} 1\n');
      for (const bad of ["fifo", "zero", "urandom", "big"]) expect(body).not.toContain(`${bad}.prom"}`);
      expect(body).toContain(`node_textfile_mtime_seconds{file="${hostile}/good.prom"}`);
    }
    expect(await lastPushed(agent)).toBe(pushes.last);
    const log = agent.output();
    expect(log).toContain(`${hostile}/fifo.prom is a FIFO, not a regular file`);
    expect(log).toContain(`${hostile}/zero.prom is a character device`);
    expect(log).toContain(`${hostile}/urandom.prom is a character device`);
    expect(log).toContain(`${hostile}/big.prom is larger than 67108864 bytes`);
    expect(log).toContain(missing);
  });

  test("memory stays small: nothing of /dev/zero, /dev/urandom or the large file is read", async () => {
    const rss = statusKiB(agent.proc.pid, "VmRSS") / 1024;
    console.log(`agent RSS after the scrapes: ${rss.toFixed(0)} MiB`);
    expect(rss).toBeLessThan(200);
  });

  test("a series in two files is served once, from the first file; that alone is no scrape error", async () => {
    const body = await (await fetch(`${agent.urls.node}/metrics`)).text();
    expect(body).toContain('dup_metric{k="x"} 1\ndup_metric{k="y"} 5\ndup_metric{k="z"} 7\n');
    expect(body).not.toContain('dup_metric{k="x"} 2');
    expect(body.match(/^nohelp_metric /gm)).toEqual(["nohelp_metric "]);
  });
});

describe("repeated series and a missing directory, against node_exporter", () => {
  /** The textfile collector's families only, as name -> series -> value. */
  async function textfileFamilies(url: string): Promise<Record<string, Record<string, number>>> {
    const out: Record<string, Record<string, number>> = {};
    for (const f of parseText(await (await fetch(`${url}/metrics`)).text())) {
      if (!/^(dup_metric|nohelp_metric|node_textfile_scrape_error)$/.test(f.name)) continue;
      out[f.name] = Object.fromEntries(f.samples.map((s) => [JSON.stringify(s.labels), s.value]));
    }
    return out;
  }

  for (const [what, dir] of [
    ["the same series in two files", () => dirWith("duplicates", DUPLICATES)],
    ["a missing directory", () => join(root, "nowhere")],
  ] as const) {
    test(`${what}: served as node_exporter serves it`, async () => {
      const args = ["--collector.disable-defaults", "--collector.textfile", `--collector.textfile.directory=${dir()}`];
      const ne = await startNodeExporter(args);
      const agent = await startAgent({ roles: ["node"], args });
      try {
        const theirs = await textfileFamilies(ne.url);
        expect(theirs.node_textfile_scrape_error).toBeDefined();
        expect(await textfileFamilies(agent.urls.node!)).toEqual(theirs);
      } finally {
        await agent.stop();
        await ne.stop();
      }
    });
  }
});

describe.skipIf(!canHangMount())("a textfile directory on a mount that never answers", () => {
  test("scrapes answer within --collector.timeout with the other directory served, pushes are not held up, and no thread piles up", async () => {
    const hung = await hangMount();
    const good = dirWith("beside-hung", { "good.prom": "beside_hung 1\n" });
    const agent = await startAgent({ roles: ["node", "push"], storagePath: memoryStore("hung"), args: ["--collector.timeout=1s", `--collector.textfile.directory=${hung.mountpoint},${good}`] });
    try {
      await warmUp(agent);
      const first = await pushingDuring(agent.urls.push!, () => scrapes(agent.urls.node!, 2));
      const threadsAfterTwo = threads(agent.proc.pid);
      const { result, pushes } = await pushingDuring(agent.urls.push!, () => scrapes(agent.urls.node!, 6));
      const all = [...first.pushes.latencies, ...pushes.latencies];
      console.log(describePushes("pushes during 8 scrapes of a hung textfile directory", { ...pushes, latencies: all }) + `; scrapes: max ${Math.max(...result.ms).toFixed(0)} ms`);
      expect([...first.pushes.failures, ...pushes.failures]).toEqual([]);
      // Pushes go back to back here (thousands), each synced to disk, so one may meet a slow sync on a loaded
      // machine (2 s seen while other builds wrote to the disk); a main thread waiting on the mount would hold a
      // push in every one of the 8 scrapes, for the 750 ms the collector waits.
      expect(quantile(all, 0.99)).toBeLessThan(100);
      expect(all.filter((ms) => ms > 500).length).toBeLessThanOrEqual(1);
      for (const [i, body] of [...first.result.bodies, ...result.bodies].entries()) {
        expect({ i, served: body.includes("beside_hung 1\n"), error: body.includes("node_textfile_scrape_error 1\n") }).toEqual({ i, served: true, error: true });
      }
      // The collector gives up 250 ms before the 1 s timeout; a scrape is that plus the other collectors.
      expect(Math.max(...result.ms)).toBeLessThan(1500);
      // The reading still stuck from the first scrape is joined by the later ones, not asked for again.
      expect(threads(agent.proc.pid)).toBe(threadsAfterTwo);
      expect(await lastPushed(agent)).toBe(pushes.last);
    } finally {
      await hung.release();
      expect(await agent.stop()).toBe(0);
    }
  });
});
