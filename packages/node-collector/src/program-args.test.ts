import { expect, test } from "bun:test";
import { splitUnknownCollectorFlags } from "./program-args.ts";

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
  expect(splitUnknownCollectorFlags(["--web.listen-address=:1", "--collector.wifi"], known)).toEqual({ args: ["--web.listen-address=:1"], ignored: ["--collector.wifi"] });
});
