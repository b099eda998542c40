/**
 * A full disk, for real: the store lives on a small tmpfs mounted for the test. Pushes that do not fit get
 * 507 "storage full" and one log line, not a dump per push; once the disk has room again pushes work, and
 * everything acknowledged is served, survives a clean stop (exit 0) and a restart.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { startAgent, type RunningAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

/** About 20 KiB of text: a group's worth of series, each carrying the group's number. */
function body(n: number): string {
  let s = "# TYPE full_seq gauge\n";
  for (let i = 0; i < 400; i++) s += `full_seq{series="s${i}"} ${n}\n`;
  return s;
}

const path = (n: number) => `/metrics/job/full/group/g${n}`;

function run(argv: string[]): void {
  const p = Bun.spawnSync(argv, { stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")}: exit ${p.exitCode}: ${p.stderr.toString()}`);
}

/** group number -> the value /metrics serves for every series of it */
async function served(url: string): Promise<Map<number, number>> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text());
  const out = new Map<number, number>();
  for (const s of parseText(text).find((f) => f.name === "full_seq")?.samples ?? []) {
    const n = Number(s.labels.group!.slice(1));
    if (out.has(n) && out.get(n) !== s.value) throw new Error(`group ${n} is not whole`);
    out.set(n, s.value);
  }
  return out;
}

for (const sync of ["flush", "commit"]) test(`a full disk answers 507 and loses nothing; pushes work again once there is room (--push.sync=${sync})`, async () => {
  const mnt = mkdtempSync(join(tmpdir(), "agent-full-"));
  run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mnt]);
  const agents: RunningAgent[] = [];
  try {
    // A filler takes most of the room, so the store fills after some dozens of pushes; deleting it frees the
    // disk. It leaves more than the 1 MiB a new store needs to open.
    const filler = join(mnt, "filler");
    writeFileSync(filler, Buffer.alloc(5 << 19, 1));
    const first = await startAgent({ roles: ["push"], storagePath: mnt, args: [`--push.sync=${sync}`] });
    agents.push(first);
    const url = first.urls.push!;

    const acked: number[] = [];
    let refused: Response | undefined;
    for (let n = 0; n < 200 && !refused; n++) {
      const r = await fetch(url + path(n), { method: "PUT", body: body(n) });
      if (r.status === 200) acked.push(n);
      else refused = r;
    }
    expect(acked.length).toBeGreaterThan(5);
    expect(refused?.status).toBe(507);
    expect(await refused!.text()).toStartWith("storage full: ");
    // While nothing changes on the disk, later pushes are refused at once, without a new log line.
    for (let k = 0; k < 5; k++) {
      const r = await fetch(url + path(1000 + k), { method: "PUT", body: body(1000 + k) });
      expect(r.status).toBe(507);
      await r.text();
    }
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    expect(metrics).toContain('agent_push_storage_errors_total{reason="full"} 6\n');
    expect(first.output().match(/storage write failed/g)).toHaveLength(1);
    // No unhandled rejections: lmdb-js's "Commit failed" never reaches the output.
    expect(first.output()).not.toContain("Commit failed");
    expect(await served(url)).toEqual(new Map(acked.map((n) => [n, n])));
    // The last commit failed; stopping must neither wait for it (the frame gives up after 5 s) nor exit 1.
    expect(await first.stop()).toBe(0);
    expect(first.output()).not.toContain("stop took longer");

    // Restarted on the still full disk: everything acknowledged is there; once there is room, pushes work.
    const second = await startAgent({ roles: ["push"], storagePath: mnt, args: [`--push.sync=${sync}`] });
    agents.push(second);
    expect(await served(second.urls.push!)).toEqual(new Map(acked.map((n) => [n, n])));
    const still = await fetch(second.urls.push + path(900), { method: "PUT", body: body(900) });
    expect(still.status).toBe(507);
    await still.text();
    rmSync(filler);
    for (const n of [500, 501]) {
      const r = await fetch(second.urls.push + path(n), { method: "PUT", body: body(n) });
      expect(r.status).toBe(200);
      acked.push(n);
    }
    expect(second.output()).toContain('msg="storage writable again"');
    expect(await second.stop()).toBe(0);

    const third = await startAgent({ roles: ["push"], storagePath: mnt, args: [`--push.sync=${sync}`] });
    agents.push(third);
    expect(await served(third.urls.push!)).toEqual(new Map(acked.map((n) => [n, n])));
    expect(await third.stop()).toBe(0);
  } finally {
    for (const a of agents) await a.stop("SIGKILL");
    run(["umount", mnt]);
    rmdirSync(mnt);
  }
});
