import { describe, expect, test } from "bun:test";
import { flag } from "./flag.ts";
import { flattenConfigFile, parseArgv, resolveFlags } from "./parse.ts";

const flags = {
  include: flag.repeated("collector.sysctl.include", "Select sysctl metrics to include."),
  plain: flag.string("plain", "", "A flag given once."),
};
const groups = [{ title: "test", flags }];

describe("repeated flags", () => {
  test("each use adds a value, commas included, in command-line order", () => {
    const { values } = parseArgv(
      ["--collector.sysctl.include=vm.swappiness", "--collector.sysctl.include", "net.ipv4.ip_local_port_range:lower,upper", "--plain=a", "--plain=b"],
      groups,
    );
    const v = resolveFlags(flags, values);
    expect(v.include).toEqual(["vm.swappiness", "net.ipv4.ip_local_port_range:lower,upper"]);
    expect(v.plain).toBe("b");
  });

  test("unset means none; a YAML list or one string in the file", () => {
    expect(resolveFlags(flags, new Map()).include).toEqual([]);
    const file = flattenConfigFile({ collector: { sysctl: { include: ["a", "b:c,d"] } } }, groups, "test.yml");
    expect(resolveFlags(flags, file).include).toEqual(["a", "b:c,d"]);
    expect(resolveFlags(flags, flattenConfigFile({ "collector.sysctl.include": "x" }, groups, "t.yml")).include).toEqual(["x"]);
  });

  test("flags on the command line replace the file's list", () => {
    const file = flattenConfigFile({ "collector.sysctl.include": ["a"] }, groups, "t.yml");
    const argv = parseArgv(["--collector.sysctl.include=b"], groups).values;
    expect(resolveFlags(flags, file, argv).include).toEqual(["b"]);
  });
});
