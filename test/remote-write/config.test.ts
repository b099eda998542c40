/** remote_write in the config file: refused keys exit 2 naming them; without remote_write nothing of it exists. */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runAgent, startAgent } from "../harness/index.ts";

const dir = mkdtempSync(join(tmpdir(), "rw-config-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function refusal(config: object): Promise<string> {
  const file = join(dir, `agent-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, JSON.stringify(config));
  const r = await runAgent(["--roles", "push", "--storage.path", join(dir, "data"), "--push.listen-address=127.0.0.1:0", `--config.file=${file}`]);
  expect(r.code).toBe(2);
  return r.stderr;
}

test("a Prometheus remote_write key the agent does not support exits 2 naming it", async () => {
  expect(await refusal({ remote_write: [{ url: "http://127.0.0.1:9/api/v1/write", sigv4: { region: "x" } }] })).toContain('remote_write[0]: "sigv4" is not supported');
  expect(await refusal({ remote_write: [{ url: "http://127.0.0.1:9/api/v1/write", queue_config: { max_shards: 2 } }] })).toContain('"max_shards" is not supported');
  expect(await refusal({ remote_write: [{ url: "http://127.0.0.1:9/api/v1/write", tls_config: { ca_file: "/nonexistent/ca.pem" } }] })).toContain(
    "remote_write[0].tls_config.ca_file: cannot read /nonexistent/ca.pem",
  );
  expect(await refusal({ remote_write: [{ url: "http://127.0.0.1:9/api/v1/write" }], remote_write_targets: { nodes: { job: "x" } } })).toContain(
    'remote_write_targets: unknown role "nodes"',
  );
  expect(await refusal({ remote_write: [{ url: "http://127.0.0.1:9/api/v1/write" }], remote_write_interval: "0s" })).toContain("--remote_write_interval: must be above 0");
  expect(existsSync(join(dir, "data", "remote-write"))).toBe(false);
});

test("without remote_write there are no queues, metrics or page", async () => {
  const agent = await startAgent({ roles: ["push"] });
  try {
    expect(await (await fetch(`${agent.urls.push}/metrics`)).text()).not.toContain("remote_storage");
    expect((await fetch(`${agent.urls.push}/remote-write`)).status).toBe(404);
    expect(existsSync(join(agent.dataDir, "remote-write"))).toBe(false);
  } finally {
    await agent.stop();
  }
});

test("with remote_write and no node role, the first role serves the queues' metrics", async () => {
  const file = join(dir, "push-only.yml");
  writeFileSync(file, JSON.stringify({ remote_write: [{ url: "http://127.0.0.1:9/api/v1/write", name: "nowhere" }], remote_write_interval: "1s" }));
  const agent = await startAgent({ roles: ["push"], args: [`--config.file=${file}`] });
  try {
    const text = await (await fetch(`${agent.urls.push}/metrics`)).text();
    expect(text).toContain('prometheus_remote_storage_samples_pending{remote_name="nowhere",url="http://127.0.0.1:9/api/v1/write"}');
    expect(existsSync(join(agent.dataDir, "remote-write", "nowhere", "queue.mdb"))).toBe(true);
  } finally {
    await agent.stop();
  }
});
