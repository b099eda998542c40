/**
 * --push.sync, seen from the system calls: the agent runs under strace, and for each push the trace shows
 * the request read, the store's writes, then (flush) a completed fdatasync before the response goes out on
 * the socket, or (commit) no sync at all. Concurrent pushes share syncs (group commit).
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent, type RunningAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

const SYNCS = /\b(fdatasync|fsync|msync)\(/;
/** A sync that finished: `fdatasync(9) = 0`, or its `<... fdatasync resumed>) = 0` when threads interleaved. */
const SYNC_DONE = /(^\d+ +(fdatasync|fsync|msync)\([^)]*\)\s*= 0$)|(<\.\.\. (fdatasync|fsync|msync) resumed>.*= 0$)/;
const RESPONSE = /^\d+ +(sendto|write|writev)\(\d+, .*"HTTP\/1\.1 (\d+)/;

async function traced(sync: "flush" | "commit"): Promise<{ agent: RunningAgent; trace: string }> {
  const trace = join(tmpdir(), `agent-strace-${process.pid}-${sync}.txt`);
  const agent = await startAgent({
    roles: ["push"],
    command: ["strace", "-f", "-s", "64", "-o", trace, "-e", "trace=fdatasync,fsync,msync,pwrite64,pwritev,writev,write,sendto,recvfrom,read"],
    args: [`--push.sync=${sync}`],
  });
  return { agent, trace };
}

/** Stops the agent (strace's child), then strace, and returns the trace's lines. */
async function finish({ agent, trace }: { agent: RunningAgent; trace: string }): Promise<string[]> {
  const child = Number(readFileSync(`/proc/${agent.proc.pid}/task/${agent.proc.pid}/children`, "utf8").trim().split(" ")[0]);
  process.kill(child, "SIGTERM");
  await agent.proc.exited;
  expect(await agent.stop()).toBe(0);
  const lines = readFileSync(trace, "utf8").split("\n");
  rmSync(trace);
  return lines;
}

/** For each push, the lines from reading its request to writing its response. */
function windows(lines: string[], paths: string[]): string[][] {
  return paths.map((p) => {
    const start = lines.findIndex((l) => l.includes(`"PUT ${p} HTTP/1.1`));
    expect(start).toBeGreaterThan(-1);
    const end = lines.findIndex((l, i) => i > start && RESPONSE.test(l));
    expect(end).toBeGreaterThan(start);
    expect(RESPONSE.exec(lines[end]!)![2]).toBe("200");
    return lines.slice(start, end + 1);
  });
}

const metric = (i: number) => `# TYPE sync_probe gauge\nsync_probe{payload="${"x".repeat(40)}"} ${i}\n`;

const STORE_WRITE = /\b(pwrite64|pwritev|writev)\(/;

/** Five pushes one after another under strace; for each, the trace lines from its request to its response. */
async function sequentialPushes(sync: "flush" | "commit"): Promise<string[][]> {
  const run = await traced(sync);
  const paths = Array.from({ length: 5 }, (_, i) => `/metrics/job/sync_probe/n/${i}`);
  let lines: string[];
  try {
    for (const [i, p] of paths.entries()) expect((await fetch(run.agent.urls.push + p, { method: "PUT", body: metric(i) })).status).toBe(200);
  } finally {
    lines = await finish(run);
  }
  return windows(lines, paths);
}

test("flush: each push's fdatasync completes before its response is written", async () => {
  for (const w of await sequentialPushes("flush")) {
    const wrote = w.findIndex((l) => STORE_WRITE.test(l));
    const synced = w.findLastIndex((l) => SYNC_DONE.test(l));
    expect(wrote).toBeGreaterThan(0);
    expect(synced).toBeGreaterThan(wrote);
  }
});

test("commit: pushes are written to the OS and answered without any sync", async () => {
  for (const w of await sequentialPushes("commit")) {
    expect(w.some((l) => STORE_WRITE.test(l))).toBe(true);
    expect(w.filter((l) => SYNCS.test(l))).toEqual([]);
  }
});

test("flush: concurrent pushes share syncs", async () => {
  const run = await traced("flush");
  const paths = Array.from({ length: 64 }, (_, i) => `/metrics/job/sync_probe/n/${i}`);
  let lines: string[];
  try {
    const statuses = await Promise.all(paths.map((p, i) => fetch(run.agent.urls.push + p, { method: "PUT", body: metric(i) }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
  } finally {
    lines = await finish(run);
  }
  const first = Math.min(...paths.map((p) => lines.findIndex((l) => l.includes(`"PUT ${p} HTTP/1.1`))));
  const during = lines.slice(first).filter((l) => SYNC_DONE.test(l)).length;
  console.log(`64 concurrent pushes, ${during} completed syncs`);
  expect(during).toBeGreaterThan(0);
  expect(during).toBeLessThan(paths.length);
});

test("one store, restarted in turn with flush, commit and flush again, keeps every push", async () => {
  const storagePath = mkdtempSync(join(tmpdir(), "push-sync-switch-"));
  try {
    const modes = ["flush", "commit", "flush"] as const;
    for (const [round, sync] of modes.entries()) {
      const agent = await startAgent({ roles: ["push"], storagePath, args: [`--push.sync=${sync}`] });
      try {
        const text = await fetch(`${agent.urls.push}/metrics`).then((r) => r.text());
        for (let before = 0; before < round; before++) expect(text).toContain(`sync_probe{instance="",job="switch",n="${before}",payload="${"x".repeat(40)}"} ${before}\n`);
        expect((await fetch(`${agent.urls.push}/metrics/job/switch/n/${round}`, { method: "PUT", body: metric(round) })).status).toBe(200);
      } finally {
        expect(await agent.stop()).toBe(0);
      }
    }
  } finally {
    rmSync(storagePath, { recursive: true, force: true });
  }
});
