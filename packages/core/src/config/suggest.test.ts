import { describe, expect, test } from "bun:test";
import { flag } from "./flag.ts";
import { flattenConfigFile, parseArgv } from "./parse.ts";
import { closestName, editDistance } from "./suggest.ts";

describe("edit distance", () => {
  test("counts insertions, deletions and substitutions", () => {
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("mountstats", "mountstat")).toBe(1);
    expect(editDistance("same", "same")).toBe(0);
  });

  test("a name is suggested only when it is near", () => {
    const names = ["web.listen-address", "web.telemetry-path", "collector.mountstats"];
    expect(closestName("web.listen-adress", names)).toBe("web.listen-address");
    expect(closestName("collector.mountstat", names)).toBe("collector.mountstats");
    expect(closestName("bogus", names)).toBeUndefined();
    expect(closestName("web.x", names)).toBeUndefined();
  });
});

describe("unknown flags and keys say what was meant", () => {
  const groups = [
    {
      title: "test",
      flags: {
        listen: flag.string("web.listen-address", ":9100", "Address."),
        wifi: flag.bool("collector.wifi", false, "Enable wifi."),
      },
    },
  ];

  test("a flag one typo away, a --no- form of a boolean, and none for a word far from every flag", () => {
    expect(() => parseArgv(["--web.listen-adress=:1"], groups)).toThrow("unknown flag --web.listen-adress (did you mean --web.listen-address?)");
    expect(() => parseArgv(["--no-collector.wfi"], groups)).toThrow("unknown flag --no-collector.wfi (did you mean --no-collector.wifi?)");
    expect(() => parseArgv(["--nothing-like-it"], groups)).toThrow("unknown flag --nothing-like-it (see --help)");
  });

  test("a config file key one typo away", () => {
    expect(() => flattenConfigFile({ web: { "listen-adress": ":1" } }, groups, "a.yml")).toThrow('a.yml: unknown key "web.listen-adress" (did you mean "web.listen-address"?)');
  });
});
