/**
 * Adding a role is one package and one line in roles.ts: test-role/ is such a package, and test-role/agent.ts
 * the agent's entry with that one line more. The role gets its flags, its address, its data directory, the
 * frame's routes and its own, and remote write, with no change to the frame; dist/agent does not know it.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { runAgent, startAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

const ENTRY = resolve(import.meta.dir, "test-role/agent.ts");
const storage = mkdtempSync(join(tmpdir(), "agent-tally-"));
afterAll(() => rmSync(storage, { recursive: true, force: true }));

function startWithTally(args: string[], roles = ["tally"]) {
  return startAgent({ roles, command: [process.execPath], bin: ENTRY, storagePath: storage, args });
}

function runWithTally(args: string[]) {
  return runAgent(args, { command: [process.execPath], bin: ENTRY, cwd: storage });
}

test("the new role's flags are the agent's: --help lists them, --roles knows it, a bad value exits 2", async () => {
  const help = await runWithTally(["--help"]);
  expect(help.code).toBe(0);
  expect(help.stdout).toContain("Roles to run, comma-separated: node, push, cluster, tally.");
  expect(help.stdout).toContain("tally role: Counts visits");
  expect(help.stdout).toContain("--tally.listen-address");
  expect(help.stdout).toContain("--tally.greeting");
  const bad = await runWithTally(["--roles=tally", "--tally.step=0"]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain("--tally.step: 0 must be at least 1");
  const typo = await runWithTally(["--roles=tally", "--tally.step=many"]);
  expect(typo.code).toBe(2);
  expect(typo.stderr).toContain("--tally.step");
});

test("dist/agent has no such role", async () => {
  const r = await runAgent(["--roles=tally"]);
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('unknown role "tally" (known: node, push, cluster)');
});

test("the new role serves its routes and /metrics on its own address beside node, keeps its data, and stops cleanly", async () => {
  const agent = await startWithTally(["--tally.greeting=hi", "--tally.step=2"]);
  const url = agent.urls.tally!;
  try {
    expect(await fetch(`${url}/visit?times=3`).then((r) => r.text())).toBe("hi 6\n");
    // A handler's BadRequest is the client's error: 400 with its message, and the role keeps serving.
    const bad = await fetch(`${url}/visit?times=-1`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toBe('times: "-1" is not a positive whole number\n');
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    expect(metrics).toContain("tally_visits_total 6");
    expect(metrics).toMatch(/^agent_build_info\{.*roles="tally".*\} 1$/m);
    // The frame's routes: health, readiness, and the landing page listing the role's links.
    expect(await fetch(`${url}/-/ready`).then((r) => r.status)).toBe(200);
    const landing = await fetch(`${url}/`).then((r) => r.text());
    expect(landing).toContain("Counts visits (a test role)");
    expect(landing).toContain('<a href="/visit">Visit</a>');
    const started = agent.output().split("\n").find((l) => l.includes('msg="role started"'));
    expect(started).toContain("role=tally");
    expect(started).toContain(`data=${storage}/tally`);
    expect(started).toContain("count=0");
  } finally {
    expect(await agent.stop()).toBe(0);
  }
  expect(agent.output()).toContain('msg="role stopped" role=tally');
  // The count lives in the role's data directory: a restart carries on from it.
  const again = await startWithTally(["--tally.greeting=hi"]);
  try {
    expect(await fetch(`${again.urls.tally}/visit`).then((r) => r.text())).toBe("hi 7\n");
  } finally {
    expect(await again.stop()).toBe(0);
  }
});

test("the new role runs beside node; the agent's shared pages stay on the role that hosts them", async () => {
  const config = join(storage, "agent.yml");
  // A receiver nobody listens on: the collection is queued on disk, and the queue's page on the node role shows it.
  writeFileSync(config, "remote_write_interval: 1s\nremote_write:\n  - url: http://127.0.0.1:9/api/v1/write\n    name: nowhere\n");
  const agent = await startWithTally([`--config.file=${config}`], ["node", "tally"]);
  try {
    const node = await fetch(`${agent.urls.node}/metrics`).then((r) => r.text());
    expect(node).toContain('roles="node,tally"');
    expect(node).toContain("agent_remote_write");
    // Remote write's page goes on the role that hosts shared pages (node), not on the new one.
    expect(await fetch(`${agent.urls.tally}/remote-write`).then((r) => r.status)).toBe(404);
    expect(await fetch(`${agent.urls.node}/remote-write`).then((r) => r.status)).toBe(200);
    const tallyLanding = await fetch(`${agent.urls.tally}/`).then((r) => r.text());
    expect(tallyLanding).toContain(`node role (127.0.0.1:${agent.ports.node})`);
  } finally {
    expect(await agent.stop()).toBe(0);
  }
});
