// One agent per store and per port: a second dist/agent on the same --storage.path or the same address exits 1
// naming what is taken (and, for the store, the holder's pid), and the first keeps serving every push.
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentBinary, freePort, startAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

/** Runs a second agent; one that does start (the failure under test) is stopped after 5 s and shows exit 0. */
async function runSecond(args: string[]): Promise<{ code: number; stderr: string }> {
  const p = Bun.spawn([agentBinary(), ...args], { stdout: "ignore", stderr: "pipe", timeout: 5000 });
  const stderr = await new Response(p.stderr).text();
  return { code: await p.exited, stderr };
}

test("a second agent on the same storage path exits 1 naming the directory and the first agent's pid", async () => {
  const storagePath = mkdtempSync(join(tmpdir(), "push-one-store-"));
  try {
    const first = await startAgent({ roles: ["push"], storagePath });
    expect((await fetch(`${first.urls.push}/metrics/job/kept`, { method: "PUT", body: "kept_metric 1\n" })).status).toBe(200);
    const port = await freePort();
    const second = await runSecond(["--roles", "push", `--push.listen-address=127.0.0.1:${port}`, `--storage.path=${storagePath}`]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(join(storagePath, "push"));
    expect(second.stderr).toContain(`pid ${first.proc.pid}`);
    // The refused agent never listened, and the first one still serves and stores.
    expect(await fetch(`http://127.0.0.1:${port}/-/healthy`).then(() => "answered", () => "refused")).toBe("refused");
    expect((await fetch(`${first.urls.push}/metrics/job/after`, { method: "POST", body: "after_metric 2\n" })).status).toBe(200);
    // kill -9 leaves no stale lock: the kernel drops it with the process.
    first.proc.kill("SIGKILL");
    await first.stop();
    const again = await startAgent({ roles: ["push"], storagePath });
    try {
      const text = await fetch(`${again.urls.push}/metrics`).then((r) => r.text());
      expect(text).toContain('kept_metric{instance="",job="kept"} 1');
      expect(text).toContain('after_metric{instance="",job="after"} 2');
    } finally {
      expect(await again.stop()).toBe(0);
    }
  } finally {
    rmSync(storagePath, { recursive: true, force: true });
  }
});

test("a second agent on a taken port (every interface) exits 1 naming the address, and the first gets every push", async () => {
  const port = await freePort();
  const first = await startAgent({ roles: ["push"], fromArgs: true, ports: { push: port }, args: ["--roles=push", `--push.listen-address=:${port}`] });
  const otherStore = mkdtempSync(join(tmpdir(), "push-one-port-"));
  try {
    const second = await runSecond(["--roles", "push", `--push.listen-address=:${port}`, `--storage.path=${otherStore}`]);
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`:${port}`);
    expect(second.stderr).toContain("address already in use");
    // With SO_REUSEPORT both would listen and the kernel would split these between two stores.
    for (let i = 0; i < 20; i++) {
      expect((await fetch(`${first.urls.push}/metrics/job/spread/instance/i${i}`, { method: "PUT", body: "spread 1\n" })).status).toBe(200);
    }
    const text = await fetch(`${first.urls.push}/metrics`).then((r) => r.text());
    expect(text.match(/^spread\{/gm)?.length).toBe(20);
  } finally {
    await first.stop();
    rmSync(otherStore, { recursive: true, force: true });
  }
});
