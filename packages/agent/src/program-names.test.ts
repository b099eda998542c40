import { expect, test } from "bun:test";
import { argsForProgram, clusterExporterArgs, roleOfProgram, splitUnknownCollectorFlags } from "./program-names.ts";

test("link names pick the role; any other name is the agent", () => {
  expect(roleOfProgram("/usr/local/bin/node_exporter")).toBe("node");
  expect(roleOfProgram("./pushgateway")).toBe("push");
  expect(roleOfProgram("prometheus-cluster-exporter")).toBe("cluster");
  expect(roleOfProgram("cluster_exporter")).toBe("cluster");
  expect(roleOfProgram("/opt/agent")).toBeUndefined();
  expect(roleOfProgram("pushgateway-old")).toBeUndefined();
});

test("the Cluster Exporter's Go flags, in each form Go's flag package takes, become agent flags", () => {
  expect(clusterExporterArgs(["-promserver", "http://p:9090", "--port=9999", "-timeout=5", "--timerange", "5m", "-log", "TRACE"])).toEqual([
    "--cluster.prometheus-url=http://p:9090",
    "--cluster.listen-address=:9999",
    "--cluster.timeout=5s",
    "--cluster.time-range=5m",
    "--log.level=debug",
  ]);
  expect(clusterExporterArgs(["-version"])).toEqual(["--version"]);
  // Agent flags pass through unchanged.
  expect(clusterExporterArgs(["--cluster.command-timeout=3s", "-promserver=x"])).toEqual(["--cluster.command-timeout=3s", "--cluster.prometheus-url=x"]);
  expect(() => clusterExporterArgs(["-port", "http"])).toThrow('-port: "http" is not a port number');
  expect(() => clusterExporterArgs(["-timeout", "1m"])).toThrow("-timeout");
  expect(() => clusterExporterArgs(["-promserver"])).toThrow("-promserver needs a value");
});

test("node_exporter flags for collectors the agent lacks are set aside, with their values; others stay", () => {
  const known = (name: string) => ["collector.cpu", "collector.textfile.directory", "web.listen-address"].includes(name);
  expect(
    splitUnknownCollectorFlags(
      ["--collector.wifi", "--no-collector.cpu", "--collector.ntp.server", "h", "--collector.perf.cpus=1", "--collector.textfile.directory", "/d", "--collector.bogus"],
      known,
    ),
  ).toEqual({
    args: ["--no-collector.cpu", "--collector.textfile.directory", "/d", "--collector.bogus"],
    ignored: ["--collector.wifi", "--collector.ntp.server", "h", "--collector.perf.cpus=1"],
  });
  expect(argsForProgram("push", ["--collector.wifi"], known)).toEqual({ args: ["--collector.wifi"], ignored: [] });
  expect(argsForProgram("node", ["--web.listen-address=:1", "--collector.wifi"], known)).toEqual({ args: ["--web.listen-address=:1"], ignored: ["--collector.wifi"] });
  expect(argsForProgram("cluster", ["-port", "1"], known)).toEqual({ args: ["--cluster.listen-address=:1"], ignored: [] });
});
