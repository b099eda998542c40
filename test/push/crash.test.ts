/**
 * Durability: many concurrent pushes, `kill -9` in the middle of them, restart over the same data: every
 * acknowledged push is there (or a later one of the same group), and the store reads back whole.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { parseText } from "../../packages/core/src/index.ts";
import { startAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

const WORKERS = 16;
const GROUPS_PER_WORKER = 4;

// `commit` answers before the sync, but a commit in the OS's page cache outlives the process all the same.
for (const sync of ["flush", "commit"]) test(`kill -9 during concurrent pushes loses no acknowledged push (--push.sync=${sync})`, async () => {
  const first = await startAgent({ roles: ["push"], args: [`--push.sync=${sync}`] });
  const url = first.urls.push!;
  /** group path -> highest acknowledged sequence number */
  const acked = new Map<string, number>();
  let stop = false;
  const worker = async (w: number) => {
    for (let seq = 1; !stop; seq++) {
      const path = `/metrics/job/crash/worker/w${w}/slot/s${seq % GROUPS_PER_WORKER}`;
      const body = `# TYPE crash_seq gauge\ncrash_seq ${seq}\n# TYPE crash_payload counter\n${Array.from({ length: 20 }, (_, i) => `crash_payload{i="${i}"} ${seq}`).join("\n")}\n`;
      try {
        const r = await fetch(url + path, { method: seq % 2 ? "PUT" : "POST", body });
        if (r.status === 200) acked.set(path, Math.max(acked.get(path) ?? 0, seq));
        else throw new Error(`push answered ${r.status}: ${await r.text()}`);
      } catch (e) {
        if (stop) return;
        // The connection dies with the process: that push was never acknowledged.
        if ((e as Error).message.includes("push answered")) throw e;
        return;
      }
    }
  };
  const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
  await Bun.sleep(1500);
  first.proc.kill("SIGKILL");
  await first.proc.exited;
  stop = true;
  await Promise.all(workers);
  expect(acked.size).toBe(WORKERS * GROUPS_PER_WORKER);

  const second = await startAgent({ roles: ["push"], storagePath: first.dataDir, args: [`--push.sync=${sync}`] });
  try {
    const text = await fetch(`${second.urls.push}/metrics`).then((r) => r.text());
    const families = parseText(text);
    const seq = families.find((f) => f.name === "crash_seq")!;
    const payload = families.find((f) => f.name === "crash_payload")!;
    const stored = new Map(seq.samples.map((s) => [`/metrics/job/crash/worker/${s.labels.worker}/slot/${s.labels.slot}`, s.value]));
    for (const [path, n] of acked) expect(stored.get(path) ?? 0).toBeGreaterThanOrEqual(n);
    // Each group is whole: its payload carries the same sequence number as its crash_seq.
    for (const s of payload.samples) {
      expect(s.value).toBe(stored.get(`/metrics/job/crash/worker/${s.labels.worker}/slot/${s.labels.slot}`)!);
    }
    expect(payload.samples.length).toBe(stored.size * 20);
  } finally {
    await second.stop();
  }
});
