import { expect, test } from "bun:test";
import { ConfigError, createLogger, type FlagValues, MetricSet } from "@agent/core";
import { standinPrometheus, vectorAnswer } from "../../../test/cluster/standins.ts";
import { clusterFlags, type ClusterFlags } from "./flags.ts";
import { clusterRole } from "./index.ts";

function config(over: Partial<FlagValues<ClusterFlags>>): FlagValues<ClusterFlags> {
  const out: Record<string, unknown> = {};
  for (const [k, spec] of Object.entries(clusterFlags)) out[k] = spec.default;
  return { ...(out as FlagValues<ClusterFlags>), ...over };
}

const context = (over: Partial<FlagValues<ClusterFlags>>) => ({
  config: config(over),
  log: createLogger({ level: "error", write: () => {} }),
  dataDir: "/nonexistent",
  address: ":9846",
  agent: { version: "t", revision: "t", bunVersion: Bun.version, roles: ["cluster"], addresses: {}, startTime: 0 },
});

const validate = (over: Partial<FlagValues<ClusterFlags>>) => () => clusterRole().validate!(config(over));

test("configuration errors name the flag", () => {
  expect(validate({})).toThrow(new ConfigError("--cluster.prometheus-url is required when the cluster role runs (e.g. http://prometheus:9090)"));
  expect(validate({ prometheusUrl: "prometheus:9090" })).toThrow("--cluster.prometheus-url");
  expect(validate({ prometheusUrl: "ftp://p" })).toThrow("must be an http:// or https:// URL");
  expect(validate({ prometheusUrl: "http://p:9090", timeout: 0 })).toThrow("--cluster.timeout must be greater than 0");
  expect(validate({ prometheusUrl: "http://p:9090", commandTimeout: 0 })).toThrow("--cluster.command-timeout");
  expect(validate({ prometheusUrl: "http://p:9090" })).not.toThrow();
});

test("the time range goes into the queries; the last scrape is offered as a report", async () => {
  const prom = standinPrometheus(() => vectorAnswer([{ metric: { jobid: "tar.0" }, value: 8 }]));
  try {
    const role = clusterRole();
    const service = await role.start(context({ prometheusUrl: prom.url, timeRange: 300, squeuePath: "/bin/true" }));
    expect(role.lastScrape()).toBeUndefined();
    const text = (await service.collect(new MetricSet())).render();
    expect(text).toContain("cluster_exporter_scrape_ok 1\n");
    expect(prom.queries).toContain("sum by(jobid)(irate(lustre_job_write_bytes_total[5m])!=0)");
    const report = role.lastScrape()!;
    expect(report.ok).toBe(true);
    expect(report.processes.read).toEqual([{ name: "tar", value: 8 }]);
    expect(report.users.write).toEqual([{ name: "root", value: 8 }]);
  } finally {
    prom.stop();
  }
});
