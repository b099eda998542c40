/** Expiry: default TTL, config-file rules, the X-Push-TTL header; swept periodically, gone from memory and disk. */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAgent } from "../harness/index.ts";

setDefaultTimeout(30_000);

const dir = mkdtempSync(join(tmpdir(), "push-expiry-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("groups expire by header, rule and default TTL; others stay, also across a restart", async () => {
  const config = join(dir, "agent.yml");
  writeFileSync(config, 'push:\n  ttl_rules:\n    - match: {job: "ci-.*"}\n      ttl: 1s\n    - match: {job: "keep"}\n      ttl: 0\n');
  const args = [`--config.file=${config}`, "--push.default-ttl=2s", "--push.expiry-sweep-interval=100ms"];
  const storagePath = join(dir, "data");
  mkdirSync(storagePath);
  const agent = await startAgent({ roles: ["push"], args, storagePath });
  const url = agent.urls.push!;
  const push = (path: string, headers: Record<string, string> = {}) =>
    fetch(url + path, { method: "PUT", body: "ttl_probe 1\n", headers }).then((r) => r.status);
  expect(await push("/metrics/job/ci-build")).toBe(200);
  expect(await push("/metrics/job/batch")).toBe(200);
  expect(await push("/metrics/job/keep")).toBe(200);
  expect(await push("/metrics/job/short", { "X-Push-TTL": "500ms" })).toBe(200);
  expect(await push("/metrics/job/ci-forever", { "X-Push-TTL": "0" })).toBe(200);
  expect(await push("/metrics/job/bad", { "X-Push-TTL": "soon" })).toBe(400);

  const jobs = async () => {
    const text = await fetch(`${url}/metrics`).then((r) => r.text());
    return [...text.matchAll(/^ttl_probe\{instance="",job="([^"]+)"\}/gm)].map((m) => m[1]).sort();
  };
  expect(await jobs()).toEqual(["batch", "ci-build", "ci-forever", "keep", "short"]);
  type Listed = { data: { labels: { job: string }; ttlLeft?: number }[] };
  const listed = (await fetch(`${url}/api/v1/groups`).then((r) => r.json())) as Listed;
  const ttlOf = (job: string) => listed.data.find((g) => g.labels.job === job)!.ttlLeft;
  expect(ttlOf("keep")).toBeUndefined();
  expect(ttlOf("batch")).toBeGreaterThan(1);

  await Bun.sleep(1300);
  expect(await jobs()).toEqual(["batch", "ci-forever", "keep"]);
  await Bun.sleep(1200);
  expect(await jobs()).toEqual(["ci-forever", "keep"]);
  const api = (await fetch(`${url}/api/v1/metrics`).then((r) => r.json())) as Listed;
  expect(api.data.map((g) => g.labels.job).sort()).toEqual(["ci-forever", "keep"]);
  expect(await fetch(`${url}/metrics`).then((r) => r.text())).toContain("agent_push_groups_expired_total 3\n");

  await agent.stop();
  const again = await startAgent({ roles: ["push"], args, storagePath });
  try {
    const text = await fetch(`${again.urls.push}/metrics`).then((r) => r.text());
    expect([...text.matchAll(/^ttl_probe\{instance="",job="([^"]+)"\}/gm)].map((m) => m[1]).sort()).toEqual(["ci-forever", "keep"]);
  } finally {
    await again.stop();
  }
});

test("a bad TTL rule stops start-up with exit 2 and names the key", async () => {
  const config = join(dir, "bad.yml");
  writeFileSync(config, 'push:\n  ttl_rules:\n    - match: {job: "("}\n      ttl: 1h\n');
  const agent = await startAgent({ roles: ["push"], args: [`--config.file=${config}`], noWait: true });
  expect(await agent.proc.exited).toBe(2);
  expect(agent.output()).toContain("push.ttl_rules");
});
