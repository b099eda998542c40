// The binary is the whole product: copied alone into an empty directory it runs the push role, stores what is
// pushed in LMDB under ./data (the LMDB addon embedded in it), and finds it again after a restart.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentBinary, isRoot, makeTestPki, startAgent } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-alone-"));
  copyFileSync(agentBinary(), join(dir, "agent"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function pushWithCurl(url: string, body: string): Promise<number> {
  // Exactly as a user's shell would: echo piped into curl.
  const p = Bun.spawn(["sh", "-c", `echo '${body}' | curl -sS --fail --data-binary @- ${url}/metrics/job/t`], { stdout: "pipe", stderr: "pipe" });
  const code = await p.exited;
  if (code !== 0) throw new Error(`curl failed (${code}): ${await new Response(p.stderr).text()}`);
  return code;
}

test("the binary alone in an empty directory keeps pushed metrics across a restart", async () => {
  expect(readdirSync(dir)).toEqual(["agent"]);
  // storage.path as the default, ./data, resolved against the directory the agent was started in.
  const opts = { roles: ["push"], bin: join(dir, "agent"), cwd: dir, storagePath: "./data" };
  const first = await startAgent(opts);
  await pushWithCurl(first.urls.push!, "x 1");
  expect(await (await fetch(`${first.urls.push}/metrics`)).text()).toMatch(/^x\{instance="",job="t"\} 1$/m);
  expect(await first.stop("SIGTERM")).toBe(0);

  const lmdbFiles = readdirSync(join(dir, "data", "push")).filter((f) => /\.mdb$/.test(f));
  expect(lmdbFiles.length).toBeGreaterThan(0);
  expect(lmdbFiles.every((f) => statSync(join(dir, "data", "push", f)).size > 0)).toBe(true);

  const second = await startAgent(opts);
  try {
    const text = await (await fetch(`${second.urls.push}/metrics`)).text();
    expect(text).toMatch(/^x\{instance="",job="t"\} 1$/m);
  } finally {
    expect(await second.stop("SIGTERM")).toBe(0);
  }
});

test("a bunfig.toml in the working directory is not read: its preload code does not run", async () => {
  const work = join(dir, "work");
  mkdirSync(work);
  const marker = join(work, "preload-ran");
  writeFileSync(join(work, "bunfig.toml"), 'preload = ["./preload.js"]\n');
  writeFileSync(join(work, "preload.js"), `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "1");\n`);
  const version = Bun.spawnSync([join(dir, "agent"), "--version"], { cwd: work, stdout: "pipe", stderr: "pipe" });
  expect(version.exitCode).toBe(0);
  const agent = await startAgent({ roles: ["node"], bin: join(dir, "agent"), cwd: work });
  expect(await agent.stop()).toBe(0);
  expect(existsSync(marker)).toBe(false);
});

test("a .env in the working directory is not read: NODE_TLS_REJECT_UNAUTHORIZED=0 there does not turn off TLS checks", async () => {
  const pki = makeTestPki();
  let requests = 0;
  // An upstream Prometheus with a certificate nobody trusts; the cluster role queries it on each scrape.
  const prometheus = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    tls: { cert: Bun.file(pki.serverCert), key: Bun.file(pki.serverKey) },
    fetch: () => {
      requests++;
      return Response.json({ status: "success", data: { resultType: "vector", result: [] } });
    },
  });
  const work = join(dir, "dotenv");
  mkdirSync(work);
  writeFileSync(join(work, ".env"), "NODE_TLS_REJECT_UNAUTHORIZED=0\n");
  const scrapeWith = async (env: Record<string, string>) => {
    requests = 0;
    const agent = await startAgent({ roles: ["cluster"], bin: join(dir, "agent"), cwd: work, env, args: [`--cluster.prometheus-url=https://127.0.0.1:${prometheus.port}`] });
    await (await fetch(`${agent.urls.cluster}/metrics`)).text();
    expect(await agent.stop()).toBe(0);
    return requests;
  };
  try {
    // The control: set in the real environment, the variable does reach the role.
    expect(await scrapeWith({ NODE_TLS_REJECT_UNAUTHORIZED: "0" })).toBeGreaterThan(0);
    expect(await scrapeWith({})).toBe(0);
  } finally {
    prometheus.stop(true);
    pki.remove();
  }
});

// Bun unpacks the embedded LMDB addon into $TMPDIR; a noexec /tmp is common hardening.
test.skipIf(!isRoot)("with a noexec TMPDIR only the push role fails, exit 1 with a message that says what to do", async () => {
  const mnt = join(dir, "noexec-tmp");
  mkdirSync(mnt);
  expect(Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "noexec,size=64m", "tmpfs", mnt]).exitCode).toBe(0);
  try {
    const env = { TMPDIR: mnt };
    const version = Bun.spawnSync([join(dir, "agent"), "--version"], { env: { ...process.env, ...env }, stdout: "pipe", stderr: "pipe" });
    expect(version.exitCode).toBe(0);
    const node = await startAgent({ roles: ["node"], bin: join(dir, "agent"), env });
    expect(await node.stop()).toBe(0);

    const push = Bun.spawnSync([join(dir, "agent"), "--roles", "push", "--push.listen-address=127.0.0.1:0", `--storage.path=${join(dir, "noexec-data")}`], {
      env: { ...process.env, ...env },
      stdout: "pipe",
      stderr: "pipe",
    });
    const stderr = push.stderr.toString();
    expect(push.exitCode).toBe(1);
    expect(stderr).toContain("push role");
    expect(stderr).toContain("TMPDIR");
    expect(stderr).toContain(mnt);
    expect(stderr.length).toBeLessThan(2000); // the reason, not a dump of the bundled source
  } finally {
    Bun.spawnSync(["umount", mnt]);
  }
});
