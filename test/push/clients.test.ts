/**
 * Real clients against the push role: Python's prometheus_client (Debian's python3-prometheus-client,
 * run by /usr/bin/python3), prom-client's Pushgateway class, and curl.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { Counter, Gauge, Histogram, Pushgateway, Registry } from "prom-client";
import { curl, startAgent, type RunningAgent } from "../harness/index.ts";

let agent: RunningAgent;
let url: string;

setDefaultTimeout(30_000);

beforeAll(async () => {
  agent = await startAgent({ roles: ["push"] });
  url = agent.urls.push!;
});

afterAll(async () => {
  await agent?.stop();
});

const metrics = () => fetch(`${url}/metrics`).then((r) => r.text());

async function python(script: string): Promise<void> {
  const p = Bun.spawn(["/usr/bin/python3", "-c", script], { stdout: "pipe", stderr: "pipe", env: { ...process.env, GW: url } });
  const [code, err] = await Promise.all([p.exited, new Response(p.stderr).text()]);
  if (code !== 0) throw new Error(`python exited ${code}: ${err}`);
}

const PY_PREAMBLE = `
import os
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Summary, push_to_gateway, pushadd_to_gateway, delete_from_gateway
gw = os.environ["GW"]
`;

test("Python prometheus_client: push_to_gateway, pushadd_to_gateway, delete_from_gateway, grouping values with /", async () => {
  await python(`${PY_PREAMBLE}
reg = CollectorRegistry()
Counter("py_jobs", "Jobs done.", ["kind"], registry=reg).labels("nightly").inc(3)
Gauge("py_last_success_unixtime", "Last success.", registry=reg).set(1.7e9)
Histogram("py_duration_seconds", "Duration.", registry=reg, buckets=(0.1, 1)).observe(0.5)
Summary("py_size_bytes", "Size.", registry=reg).observe(10)
push_to_gateway(gw, job="py-batch", registry=reg, grouping_key={"path": "/var/tmp/x", "instance": "h1"})
`);
  let text = await metrics();
  expect(text).toContain('py_jobs_total{instance="h1",job="py-batch",kind="nightly",path="/var/tmp/x"} 3\n');
  expect(text).toContain('py_last_success_unixtime{instance="h1",job="py-batch",path="/var/tmp/x"} 1.7e+09\n');
  expect(text).toContain('py_duration_seconds_bucket{instance="h1",job="py-batch",path="/var/tmp/x",le="1"} 1\n');
  expect(text).toContain('py_size_bytes_sum{instance="h1",job="py-batch",path="/var/tmp/x"} 10\n');

  await python(`${PY_PREAMBLE}
reg = CollectorRegistry()
Gauge("py_extra", "Added later.", registry=reg).set(7)
pushadd_to_gateway(gw, job="py-batch", registry=reg, grouping_key={"path": "/var/tmp/x", "instance": "h1"})
`);
  text = await metrics();
  expect(text).toContain('py_extra{instance="h1",job="py-batch",path="/var/tmp/x"} 7\n');
  expect(text).toContain('py_jobs_total{instance="h1",job="py-batch",kind="nightly",path="/var/tmp/x"} 3\n');

  await python(`${PY_PREAMBLE}
delete_from_gateway(gw, job="py-batch", grouping_key={"path": "/var/tmp/x", "instance": "h1"})
`);
  text = await metrics();
  expect(text).not.toContain('job="py-batch"');
});

test("Python's default registry (process_*, python_*) merges with the agent's own process_* families", async () => {
  await python(`${PY_PREAMBLE}
from prometheus_client import REGISTRY
push_to_gateway(gw, job="py-default", registry=REGISTRY)
`);
  const text = await metrics();
  const block = /# TYPE process_open_fds gauge\n((?:process_open_fds.*\n)+)/.exec(text)?.[1] ?? "";
  expect(block).toMatch(/^process_open_fds \d+\n/m);
  expect(block).toMatch(/^process_open_fds\{instance="",job="py-default"\} \d+\n/m);
  expect(text.match(/^# TYPE process_open_fds /gm)?.length).toBe(1);
  expect(text).toMatch(/^python_info\{.*job="py-default".*\} 1\n/m);
});

test("prom-client's Pushgateway: pushAdd, push, delete", async () => {
  const reg = new Registry();
  new Counter({ name: "pc_runs_total", help: "Runs.", labelNames: ["stage"], registers: [reg] }).inc({ stage: "build" }, 2);
  new Gauge({ name: "pc_last_run", help: "Last run.", registers: [reg] }).set(42);
  new Histogram({ name: "pc_seconds", help: "Duration.", buckets: [1, 5], registers: [reg] }).observe(3);
  const gw = new Pushgateway(url, {}, reg);
  await gw.pushAdd({ jobName: "pc", groupings: { instance: "ci-1" } });
  let text = await metrics();
  expect(text).toContain('pc_runs_total{instance="ci-1",job="pc",stage="build"} 2\n');
  expect(text).toContain('pc_seconds_bucket{instance="ci-1",job="pc",le="5"} 1\n');

  const small = new Registry();
  new Gauge({ name: "pc_last_run", help: "Last run.", registers: [small] }).set(43);
  await new Pushgateway(url, {}, small).push({ jobName: "pc", groupings: { instance: "ci-1" } });
  text = await metrics();
  expect(text).toContain('pc_last_run{instance="ci-1",job="pc"} 43\n');
  expect(text).not.toContain("pc_runs_total");

  await gw.delete({ jobName: "pc", groupings: { instance: "ci-1" } });
  expect(await metrics()).not.toContain('job="pc"');
});

test("curl: PUT a file, POST, DELETE, and the error messages a shell user sees", async () => {
  let r = await curl(`${url}/metrics/job/curl/instance/box`, ["-X", "PUT", "--data-binary", "@-"], "# TYPE backup_bytes gauge\nbackup_bytes 1024\n");
  expect(r.status).toBe(200);
  r = await curl(`${url}/metrics/job/curl/instance/box`, ["--data-binary", "@-"], "backup_files 3\n");
  expect(r.status).toBe(200);
  let text = await metrics();
  expect(text).toContain('backup_bytes{instance="box",job="curl"} 1024\n');
  expect(text).toContain('backup_files{instance="box",job="curl"} 3\n');
  r = await curl(`${url}/api/v1/groups/metrics?path=${encodeURIComponent("/metrics/job/curl/instance/box")}`);
  expect(r.status).toBe(200);
  expect(r.body).toContain('# TYPE backup_bytes gauge\nbackup_bytes{instance="box",job="curl"} 1024\n');
  expect(r.body).toMatch(/^push_time_seconds\{instance="box",job="curl"\} [0-9.e+]+$/m);
  expect((await curl(`${url}/api/v1/groups/metrics?path=/metrics/job/none`)).status).toBe(404);
  r = await curl(`${url}/metrics/job/curl/instance/box`, ["--data-binary", "@-"], "backup_files 3");
  expect(r.status).toBe(400);
  expect(r.body).toContain("line 1");
  r = await curl(`${url}/metrics/job/curl/instance`, ["--data-binary", "@-"], "x 1\n");
  expect(r.status).toBe(400);
  expect(r.body).toContain("odd number of components");
  r = await curl(`${url}/metrics/job/curl/instance/box`, ["-X", "DELETE"]);
  expect(r.status).toBe(202);
  text = await metrics();
  expect(text).not.toContain('job="curl"');
});
