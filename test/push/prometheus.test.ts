/** A real Prometheus scrapes the push role with honor_labels and sees pushed series under their own job labels. */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { startAgent, startPrometheus, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";

let agent: RunningAgent;
let prom: RunningPrometheus;

setDefaultTimeout(60_000);

beforeAll(async () => {
  agent = await startAgent({ roles: ["push"] });
  prom = await startPrometheus({
    scrapeConfigs: [{ job_name: "pushgateway", honor_labels: true, static_configs: [{ targets: [`127.0.0.1:${agent.ports.push}`] }] }],
  });
});

afterAll(async () => {
  await Promise.all([prom?.stop(), agent?.stop()]);
});

test("pushed series arrive in Prometheus with the job and instance they were pushed under", async () => {
  const url = agent.urls.push!;
  const push = (path: string, body: string) => fetch(url + path, { method: "PUT", body }).then((r) => r.status);
  expect(await push("/metrics/job/nightly-backup/instance/db1", "# TYPE backup_last_success_unixtime gauge\nbackup_last_success_unixtime 1700000000\n")).toBe(200);
  expect(await push("/metrics/job/etl", '# TYPE etl_rows_total counter\netl_rows_total{table="users"} 1234\n')).toBe(200);

  const backup = await prom.waitFor("backup_last_success_unixtime", (r) => r.length === 1);
  expect(backup[0]!.metric).toMatchObject({ job: "nightly-backup", instance: "db1" });
  expect(backup[0]!.value[1]).toBe("1700000000");
  const etl = await prom.waitFor("etl_rows_total", (r) => r.length === 1);
  // honor_labels keeps the pushed (empty) instance, so Prometheus drops the label instead of adding its own.
  expect(etl[0]!.metric).toEqual({ __name__: "etl_rows_total", job: "etl", table: "users" });
  const up = await prom.waitFor('up{job="pushgateway"}', (r) => r.length === 1 && r[0]!.value[1] === "1");
  expect(up[0]!.value[1]).toBe("1");
  const pushTime = await prom.waitFor('push_time_seconds{job="etl"}', (r) => r.length === 1);
  expect(Number(pushTime[0]!.value[1])).toBeGreaterThan(Date.now() / 1000 - 120);
});
