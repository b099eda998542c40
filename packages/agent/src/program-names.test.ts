import { expect, test } from "bun:test";
import { argsForProgram, roleOfProgram } from "./program-names.ts";
import { allRoles } from "./roles.ts";

const roles = allRoles();

test("link names pick the role that declares them; any other name is the agent", () => {
  expect(roleOfProgram("/usr/local/bin/node_exporter", roles)?.name).toBe("node");
  expect(roleOfProgram("./pushgateway", roles)?.name).toBe("push");
  expect(roleOfProgram("prometheus-cluster-exporter", roles)?.name).toBe("cluster");
  expect(roleOfProgram("cluster_exporter", roles)?.name).toBe("cluster");
  expect(roleOfProgram("/opt/agent", roles)).toBeUndefined();
  expect(roleOfProgram("pushgateway-old", roles)).toBeUndefined();
});

test("each role reads its own program's command line; a role without a translation takes argv as it is", () => {
  const known = (name: string) => name === "web.listen-address";
  const byName = (name: string) => roles.find((r) => r.name === name)!;
  expect(argsForProgram(byName("push"), ["--collector.wifi"], known)).toEqual({ args: ["--collector.wifi"], ignored: [] });
  expect(argsForProgram(byName("node"), ["--web.listen-address=:1", "--collector.wifi"], known)).toEqual({ args: ["--web.listen-address=:1"], ignored: ["--collector.wifi"] });
  expect(argsForProgram(byName("cluster"), ["-port", "1"], known)).toEqual({ args: ["--cluster.listen-address=:1"], ignored: [] });
});
