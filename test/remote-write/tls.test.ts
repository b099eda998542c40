/**
 * remote_write over HTTPS with basic auth: a real VictoriaMetrics serving TLS and requiring a password gets
 * the samples when the agent trusts its CA and reads the password from password_file; a receiver whose
 * certificate the agent does not trust gets nothing, and its samples wait in the queue, retried.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTestPki, startAgent, startVictoriaMetrics, type RunningAgent, type RunningVictoriaMetrics, type TestPki } from "../harness/index.ts";

setDefaultTimeout(60_000);

let pki: TestPki;
let vm: RunningVictoriaMetrics;
let agent: RunningAgent;

beforeAll(async () => {
  pki = makeTestPki();
  vm = await startVictoriaMetrics({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, basicAuth: { username: "fleet", password: "s3cret" } });
  writeFileSync(join(pki.dir, "rw-password"), "s3cret\n");
  const config = {
    remote_write: [
      { url: vm.writeUrl, name: "tls", basic_auth: { username: "fleet", password_file: join(pki.dir, "rw-password") }, tls_config: { ca_file: pki.caCert } },
      // The same receiver, but trusting a CA that did not sign its certificate.
      { url: vm.writeUrl, name: "untrusted", tls_config: { ca_file: pki.strangerCert }, queue_config: { min_backoff: "100ms", max_backoff: "200ms" } },
    ],
    remote_write_interval: "1s",
  };
  writeFileSync(join(pki.dir, "agent.yml"), JSON.stringify(config));
  agent = await startAgent({ roles: ["push"], args: [`--config.file=${join(pki.dir, "agent.yml")}`] });
});

afterAll(async () => {
  await agent?.stop();
  await vm?.stop();
  pki?.remove();
});

async function queueMetric(name: string, remote: string): Promise<number> {
  const text = await (await fetch(`${agent.urls.push}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{remote_name="${remote}"`));
  return Number(line?.slice(line.lastIndexOf(" ") + 1));
}

test("samples reach a TLS receiver with basic auth; an untrusted certificate sends nothing and loses nothing", async () => {
  expect((await fetch(`${agent.urls.push}/metrics/job/tls-check`, { method: "PUT", body: "tls_check 5\n" })).status).toBe(200);
  const got = await vm.waitFor("tls_check", (r) => r.length === 1);
  expect(got[0]!.metric.job).toBe("tls-check");
  expect(got[0]!.value[1]).toBe("5");
  expect(await queueMetric("prometheus_remote_storage_samples_failed_total", "tls")).toBe(0);

  expect(await queueMetric("prometheus_remote_storage_samples_total", "untrusted")).toBe(0);
  expect(await queueMetric("prometheus_remote_storage_samples_retried_total", "untrusted")).toBeGreaterThan(0);
  expect(await queueMetric("prometheus_remote_storage_samples_pending", "untrusted")).toBeGreaterThan(0);
  expect(await queueMetric("prometheus_remote_storage_samples_failed_total", "untrusted")).toBe(0);
});
