import { expect, test } from "bun:test";
import { clusterExporterArgs } from "./program-args.ts";

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
