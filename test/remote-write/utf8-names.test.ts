/**
 * Remote write from a push role with --push.enable-utf8-names: pushed UTF-8 names reach a real Prometheus
 * escaped with underscores, as the role's /metrics serves them to a scrape that names no escaping scheme,
 * histogram parts included (the group's empty instance stays empty, as honor_labels keeps it).
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";

setDefaultTimeout(60_000);

let agent: RunningAgent;
let prom: RunningPrometheus;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "rw-utf8-"));
  prom = await startPrometheus({ scrapeConfigs: [], extraArgs: ["--web.enable-remote-write-receiver"] });
  writeFileSync(join(dir, "agent.yml"), JSON.stringify({ remote_write: [{ url: `${prom.url}/api/v1/write` }], remote_write_interval: "1s" }));
  agent = await startAgent({ roles: ["push"], args: ["--push.enable-utf8-names", `--config.file=${join(dir, "agent.yml")}`] });
});

afterAll(async () => {
  await agent?.stop();
  await prom?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const BODY =
  '{"rw.seen","a.b"="1"} 42\n' +
  '# TYPE "rw.lat" histogram\n{"rw.lat_bucket",le="1"} 1\n{"rw.lat_bucket",le="+Inf"} 2\n{"rw.lat_sum"} 3.5\n{"rw.lat_count"} 2\n';

test("UTF-8 names arrive escaped with underscores, the values a scrape without a scheme shows", async () => {
  expect((await fetch(`${agent.urls.push}/metrics/job/utf8`, { method: "PUT", body: BODY })).status).toBe(200);
  const got = await prom.waitFor('{__name__=~"rw.+",job="utf8"}', (r) => r.length === 5);
  const sent = got.map((s) => JSON.stringify([s.metric, Number(s.value[1])])).sort();
  const scraped = parseText(await (await fetch(`${agent.urls.push}/metrics`)).text())
    .filter((f) => f.name.startsWith("rw_"))
    .flatMap((f) => f.samples.map((s) => JSON.stringify([Object.fromEntries(Object.entries({ ...s.labels, __name__: s.name }).filter(([, v]) => v !== "").sort()), s.value])))
    .sort();
  expect(sent).toEqual(scraped);
  expect(got.map((s) => s.metric.__name__).sort()).toEqual(["rw_lat_bucket", "rw_lat_bucket", "rw_lat_count", "rw_lat_sum", "rw_seen"]);
  expect(got.find((s) => s.metric.__name__ === "rw_seen")!.metric.a_b).toBe("1");
});
