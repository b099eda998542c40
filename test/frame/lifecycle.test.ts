// Stopping: SIGTERM and SIGINT stop accepting, let in-flight requests finish, close LMDB and exit 0 within 5 s
// (the issue's own bound); idle keep-alive connections do not hold the stop up; a taken port exits 1.
import { expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentBinary, freePort, startAgent, waitForHttp } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

const STOP_BOUND_MS = 5000;

async function openSocket(port: number): Promise<{ sock: Socket; received: () => string; closed: Promise<void> }> {
  const sock = connect(port, "127.0.0.1");
  await new Promise<void>((ok, fail) => {
    sock.once("connect", ok);
    sock.once("error", fail);
  });
  let data = "";
  sock.on("data", (d) => (data += d.toString("latin1")));
  const closed = new Promise<void>((done) => sock.once("close", () => done()));
  return { sock, received: () => data, closed };
}

test.each(["SIGTERM", "SIGINT"] as const)("%s exits 0 within 5 s, with a line per role at stop", async (signal) => {
  const agent = await startAgent({ roles: ["node", "push"] });
  // A keep-alive connection that has finished its request must not hold the stop up.
  const idle = await openSocket(agent.ports.push!);
  idle.sock.write("GET /-/healthy HTTP/1.1\r\nHost: agent\r\n\r\n");
  while (!idle.received().includes("\r\n\r\n")) await Bun.sleep(10);
  const started = performance.now();
  const code = await agent.stop(signal);
  const took = performance.now() - started;
  idle.sock.destroy();
  expect(code).toBe(0);
  expect(took).toBeLessThan(STOP_BOUND_MS);
  const out = agent.output();
  expect(out).toContain(`msg=stopping signal=${signal}`);
  expect(out).not.toContain("exiting anyway");
  for (const role of ["node", "push"]) expect(out).toContain(`msg="role stopped" role=${role}`);
});

test("connections with no request in flight (keep-alive, silent, headers half sent) do not delay the stop", async () => {
  const agent = await startAgent({ roles: ["push"] });
  const port = agent.ports.push!;
  const kept = await openSocket(port);
  kept.sock.write("GET /-/healthy HTTP/1.1\r\nHost: agent\r\n\r\n");
  while (!kept.received().includes("\r\n\r\n")) await Bun.sleep(10);
  const silent = await openSocket(port);
  const half = await openSocket(port);
  half.sock.write("GET /metrics HTTP/1.1\r\nHost: ag");
  await Bun.sleep(100);
  const started = performance.now();
  const code = await agent.stop();
  const took = performance.now() - started;
  for (const s of [kept, silent, half]) s.sock.destroy();
  expect(code).toBe(0);
  // Bun's graceful stop waited on such connections until the 4 s force path.
  expect(took).toBeLessThan(2000);
  expect(agent.output()).not.toContain("AbortError");
});

test("an upload stalled mid-body is cut at the grace period: exit 0, no error dump, nothing half stored", async () => {
  const storage = mkdtempSync(join(tmpdir(), "agent-stalled-"));
  try {
    const agent = await startAgent({ roles: ["push"], storagePath: storage });
    const stalled = await openSocket(agent.ports.push!);
    stalled.sock.write("PUT /metrics/job/stalled HTTP/1.1\r\nHost: agent\r\nContent-Length: 100\r\n\r\nstalled 1");
    await Bun.sleep(200);
    const started = performance.now();
    const code = await agent.stop();
    const took = performance.now() - started;
    stalled.sock.destroy();
    expect(code).toBe(0);
    expect(took).toBeLessThan(STOP_BOUND_MS);
    expect(agent.output()).not.toContain("AbortError");
    expect(agent.output()).not.toContain("exiting anyway");
    const again = await startAgent({ roles: ["push"], storagePath: storage });
    try {
      expect(await (await fetch(`${again.urls.push}/metrics`)).text()).not.toContain("stalled");
    } finally {
      expect(await again.stop()).toBe(0);
    }
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
});

test("SIGTERM while the roles are still starting is a clean stop once they are up, exit 0", async () => {
  const storage = mkdtempSync(join(tmpdir(), "agent-early-"));
  try {
    const p = Bun.spawn(
      [agentBinary(), "--roles", "node,push", "--node.listen-address=127.0.0.1:0", "--push.listen-address=127.0.0.1:0", `--storage.path=${storage}`],
      { stdout: "ignore", stderr: "pipe" },
    );
    const reader = p.stderr.getReader();
    const dec = new TextDecoder();
    // The first log line is written while the roles start; the signal goes out at once.
    let out = dec.decode((await reader.read()).value);
    p.kill("SIGTERM");
    for (let r = await reader.read(); !r.done; r = await reader.read()) out += dec.decode(r.value);
    expect(await p.exited).toBe(0);
    expect(out).toContain("msg=stopping signal=SIGTERM");
    expect(out).toContain('msg="role stopped" role=push');
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
});

test("a log reader that goes away neither stops the roles nor spoils the clean exit", async () => {
  const port = await freePort();
  const storage = mkdtempSync(join(tmpdir(), "agent-epipe-"));
  try {
    const p = Bun.spawn([agentBinary(), "--roles", "node", `--node.listen-address=127.0.0.1:${port}`, `--storage.path=${storage}`], { stdout: "ignore", stderr: "pipe" });
    const reader = p.stderr.getReader();
    await reader.read();
    await reader.cancel(); // closes the read end: every later log line meets a broken pipe
    await waitForHttp(`http://127.0.0.1:${port}/-/ready`);
    for (let i = 0; i < 3; i++) expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    p.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
});

test("a push whose body is still arriving at SIGTERM completes, is stored, and new connections are refused meanwhile", async () => {
  const storage = mkdtempSync(join(tmpdir(), "agent-inflight-"));
  try {
    const agent = await startAgent({ roles: ["push"], storagePath: storage });
    const port = agent.ports.push!;
    const slow = await openSocket(port);
    slow.sock.write("POST /metrics/job/slow HTTP/1.1\r\nHost: agent\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n");
    const first = "slow_metric 4";
    slow.sock.write(`${first.length.toString(16)}\r\n${first}\r\n`);
    await Bun.sleep(200);

    agent.proc.kill("SIGTERM");
    // Stopped accepting, but still running: the push above is not finished. (A raw connect: fetch would
    // reuse the readiness probe's keep-alive connection.)
    let refused = "";
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await openSocket(port).then(
        (s) => {
          s.sock.destroy();
          return "";
        },
        (e: Error & { code?: string }) => e.code ?? e.message,
      );
      if (!refused) await Bun.sleep(20);
    }
    expect(refused).toBe("ECONNREFUSED");
    expect(agent.proc.exitCode).toBeNull();

    const rest = "2\n";
    slow.sock.write(`${rest.length.toString(16)}\r\n${rest}\r\n0\r\n\r\n`);
    await Promise.race([slow.closed, Bun.sleep(STOP_BOUND_MS)]);
    expect(slow.received()).toMatch(/^HTTP\/1\.1 20[02] /);
    expect(await agent.stop()).toBe(0);

    const again = await startAgent({ roles: ["push"], storagePath: storage });
    try {
      expect(await (await fetch(`${again.urls.push}/metrics`)).text()).toMatch(/^slow_metric\{instance="",job="slow"\} 42$/m);
    } finally {
      expect(await again.stop()).toBe(0);
    }
  } finally {
    rmSync(storage, { recursive: true, force: true });
  }
});

test("a port in use by the second role exits 1 naming that address and not the free one", async () => {
  const [nodePort, pushPort] = [await freePort(), await freePort()];
  const blocker = Bun.serve({ hostname: "127.0.0.1", port: pushPort, fetch: () => new Response("") });
  const storage = mkdtempSync(join(tmpdir(), "agent-taken-"));
  try {
    const p = Bun.spawn(
      [agentBinary(), "--roles", "node,push", `--node.listen-address=127.0.0.1:${nodePort}`, `--push.listen-address=127.0.0.1:${pushPort}`, `--storage.path=${storage}`],
      { stdout: "pipe", stderr: "pipe" },
    );
    const [code, stderr] = await Promise.all([p.exited, new Response(p.stderr).text()]);
    expect(code).toBe(1);
    expect(stderr).toContain(`127.0.0.1:${pushPort}`);
    expect(stderr).toContain("address already in use");
    expect(stderr).not.toContain(`127.0.0.1:${nodePort}:`);
  } finally {
    blocker.stop(true);
    rmSync(storage, { recursive: true, force: true });
  }
});

test("a second SIGTERM while stopping does not kill the agent: it still finishes the stop and exits 0", async () => {
  const agent = await startAgent({ roles: ["node", "push"] });
  // A push in flight keeps the stop busy for a moment, so the second signal lands inside it.
  const slow = await openSocket(agent.ports.push!);
  slow.sock.write("POST /metrics/job/slow HTTP/1.1\r\nHost: agent\r\nTransfer-Encoding: chunked\r\n\r\n");
  agent.proc.kill("SIGTERM");
  await Bun.sleep(100);
  agent.proc.kill("SIGTERM");
  await Bun.sleep(100);
  slow.sock.write("0\r\n\r\n");
  expect(await agent.stop()).toBe(0);
  expect(agent.output()).toContain('msg="already stopping" signal=SIGTERM');
});
