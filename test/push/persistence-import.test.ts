/**
 * Moving a Pushgateway over: the real Pushgateway (Debian's prometheus-pushgateway) writes its persistence
 * file; the agent started with `--persistence.file` on an empty store serves the same groups, and never
 * writes to that file.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PROTOBUF_DELIMITED_CONTENT_TYPE } from "../../packages/core/src/index.ts";
import { encodeDelimited } from "../../packages/core/src/testing/encode-delimited.ts";
import { startAgent, startPushgateway } from "../harness/index.ts";

setDefaultTimeout(60_000);

const dir = mkdtempSync(join(tmpdir(), "pg-import-"));
const file = join(dir, "pushgateway.db");
/** Pushgateway's /metrics just before it stopped: what the agent must serve after the import. */
let before = "";

/** Sample lines of pushed groups (those carrying a job label), sorted; HELP/TYPE and the gateway's own metrics left out. */
function groupLines(text: string): string[] {
  return text
    .split("\n")
    .filter((l) => !l.startsWith("#") && /[{,]job="/.test(l))
    .sort();
}

beforeAll(async () => {
  const gw = await startPushgateway({ args: [`--persistence.file=${file}`, "--persistence.interval=100ms"] });
  try {
    const push = async (path: string, body: string | Uint8Array, init: RequestInit = {}) => {
      const res = await fetch(`${gw.url}${path}`, { method: "PUT", body, ...init });
      return res.status;
    };
    expect(
      await push(
        "/metrics/job/batch/instance/db1",
        '# HELP rows_total Rows.\n# TYPE rows_total counter\nrows_total{table="a"} 5\n# TYPE lat histogram\nlat_bucket{le="0.5"} 1\nlat_bucket{le="1"} 3\nlat_bucket{le="+Inf"} 4\nlat_sum 2.5\nlat_count 4\n# TYPE q summary\nq{quantile="0.9"} 7\nq_sum 10\nq_count 2\n',
      ),
    ).toBe(200);
    const proto = encodeDelimited([{ name: "proto_gauge", type: "gauge", help: "From protobuf.", samples: [{ name: "proto_gauge", labels: { k: "v" }, value: 1.5 }] }]);
    expect(await push("/metrics/job/proto", proto, { headers: { "Content-Type": PROTOBUF_DELIMITED_CONTENT_TYPE } })).toBe(200);
    // job "a/b" and path "/var/tmp" as @base64 segments.
    expect(await push("/metrics/job@base64/YS9i/path@base64/L3Zhci90bXA", "slash_metric 1\n")).toBe(200);
    // A refused push: the group keeps its metrics and gains push_failure_time_seconds.
    expect(await push("/metrics/job/batch/instance/db2", "# TYPE rows_total counter\nrows_total 1\n")).toBe(200);
    expect(await push("/metrics/job/batch/instance/db2", "# TYPE rows_total gauge\nrows_total 2\n", { method: "POST" })).toBe(400);
    before = await fetch(`${gw.url}/metrics`).then((r) => r.text());
    // Let the persistence interval pass so the file holds the last change, then stop (which persists again).
    await Bun.sleep(500);
  } finally {
    await gw.stop();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("the agent imports every group of a real Pushgateway persistence file and serves the same series", async () => {
  const size = statSync(file).size;
  const bytes = readFileSync(file);
  const agent = await startAgent({ roles: ["push"], args: [`--persistence.file=${file}`] });
  try {
    const after = await fetch(`${agent.urls.push}/metrics`).then((r) => r.text());
    expect(groupLines(after)).toEqual(groupLines(before));
    expect(groupLines(before).length).toBeGreaterThan(15);
    expect(agent.output()).toMatch(/imported Pushgateway persistence file.*groups=4/);
    const groups = (await fetch(`${agent.urls.push}/api/v1/metrics`).then((r) => r.json())) as { data: { labels: Record<string, string>; last_push_successful: boolean }[] };
    expect(groups.data.map((g) => g.labels).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { instance: "db1", job: "batch" },
      { instance: "db2", job: "batch" },
      { job: "a/b", path: "/var/tmp" },
      { job: "proto" },
    ]);
    expect(groups.data.find((g) => g.labels.instance === "db2")?.last_push_successful).toBe(false);
  } finally {
    await agent.stop();
  }
  expect(statSync(file).size).toBe(size);
  expect(readFileSync(file).equals(bytes)).toBe(true);
});

test("a store that already holds groups is not imported into again; a missing file is nothing to import", async () => {
  const storage = mkdtempSync(join(tmpdir(), "agent-test-"));
  const agent = await startAgent({ roles: ["push"], storagePath: storage, args: [`--persistence.file=${join(dir, "absent.db")}`] });
  try {
    expect(await fetch(`${agent.urls.push}/metrics/job/kept`, { method: "PUT", body: "kept 1\n" }).then((r) => r.status)).toBe(200);
  } finally {
    await agent.stop();
  }
  const again = await startAgent({ roles: ["push"], storagePath: storage, args: [`--persistence.file=${file}`] });
  try {
    const text = await fetch(`${again.urls.push}/metrics`).then((r) => r.text());
    expect(text).toContain('kept{instance="",job="kept"} 1');
    expect(text).not.toContain("rows_total");
  } finally {
    await again.stop();
    rmSync(storage, { recursive: true, force: true });
  }
});

test("a file that is not a Pushgateway persistence file stops start-up with exit 2 naming the flag", async () => {
  const bad = join(dir, "bad.db");
  await Bun.write(bad, "this is not gob");
  const agent = await startAgent({ roles: ["push"], args: [`--persistence.file=${bad}`], noWait: true });
  expect(await agent.proc.exited).toBe(2);
  expect(agent.output()).toContain("--persistence.file: cannot import");
  await agent.stop();
});

test("imported groups get the TTL their labels call for, counted from their last push", async () => {
  const agent = await startAgent({ roles: ["push"], args: [`--persistence.file=${file}`, "--push.default-ttl=2s"] });
  try {
    expect(agent.output()).toMatch(/imported Pushgateway persistence file.*groups=4/);
    // The gateway's pushes are older than 2 s by now, or soon will be: the sweeper removes every group.
    let text = "";
    for (let i = 0; i < 100; i++) {
      text = await fetch(`${agent.urls.push}/metrics`).then((r) => r.text());
      // The count goes up once the removal is committed, a moment after the groups leave /metrics.
      if (text.includes("agent_push_groups_expired_total 4")) break;
      await Bun.sleep(100);
    }
    expect(groupLines(text)).toEqual([]);
    expect(text).toContain("agent_push_groups_expired_total 4");
  } finally {
    await agent.stop();
  }
});
