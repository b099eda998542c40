// --config.file: the same keys as the flags, dotted or nested; flags win; mistakes exit 2 naming the key.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, runAgent, startAgent } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "agent-config-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(name: string, yaml: string): string {
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return path;
}

function logLines(output: string): string[] {
  return output.split("\n").filter((l) => l.trim() !== "");
}

describe("a config file with nested and dotted keys", () => {
  let nodePort: number;
  let pushPort: number;
  let storage: string;
  let file: string;
  beforeAll(async () => {
    nodePort = await freePort();
    pushPort = await freePort();
    storage = join(dir, "storage-from-file");
    file = configFile(
      "agent.yml",
      [
        "roles: [node, push]",
        `storage.path: ${JSON.stringify(storage)}`,
        "log:",
        "  format: json",
        "  level: info",
        "node:",
        `  listen-address: "127.0.0.1:${nodePort}"`,
        `push.listen-address: "127.0.0.1:${pushPort}"`,
        "",
      ].join("\n"),
    );
  });

  test("sets roles, addresses, storage and log format", async () => {
    const agent = await startAgent({ roles: ["node", "push"], fromArgs: true, ports: { node: nodePort, push: pushPort }, args: [`--config.file=${file}`] });
    const metrics = await (await fetch(`${agent.urls.push}/metrics`)).text();
    expect(metrics).toMatch(/^agent_build_info\{.*roles="node,push".*\} 1$/m);
    expect(await agent.stop()).toBe(0);
    const lines = logLines(agent.output());
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) {
      expect(typeof r.ts).toBe("string");
      expect(typeof r.level).toBe("string");
      expect(typeof r.msg).toBe("string");
    }
    const started = records.filter((r) => r.msg === "role started");
    expect(started.map((r) => r.role).sort()).toEqual(["node", "push"]);
    expect(started.find((r) => r.role === "node")!.address).toBe(`127.0.0.1:${nodePort}`);
    expect(started.find((r) => r.role === "push")!.data).toBe(join(storage, "push"));
    expect(records.some((r) => r.msg === "stopping")).toBe(true);
  });

  test("a flag on the command line wins over the file", async () => {
    const otherPush = await freePort();
    const agent = await startAgent({
      roles: ["node", "push"],
      fromArgs: true,
      ports: { node: nodePort, push: otherPush },
      args: [`--config.file=${file}`, `--push.listen-address=127.0.0.1:${otherPush}`, "--log.format=logfmt"],
    });
    // The file's push address is not bound; the flag's is.
    const refused = await fetch(`http://127.0.0.1:${pushPort}/-/healthy`).then(
      () => "answered",
      () => "refused",
    );
    expect(refused).toBe("refused");
    expect(await agent.stop()).toBe(0);
    const started = logLines(agent.output()).filter((l) => l.includes('msg="role started"'));
    expect(started).toHaveLength(2);
    expect(started.find((l) => l.includes("role=push"))).toContain(`address=127.0.0.1:${otherPush}`);
  });
});

test("--log.format=json makes every log line a JSON object, the stop lines too", async () => {
  const agent = await startAgent({ roles: ["node"], args: ["--log.format=json"] });
  expect(await agent.stop("SIGINT")).toBe(0);
  const records = logLines(agent.output()).map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(records.map((r) => r.msg)).toEqual(expect.arrayContaining(["role started", "stopping", "role stopped"]));
  expect(records.find((r) => r.msg === "stopping")!.signal).toBe("SIGINT");
});

test("--log.level=warn keeps info lines out, from the file or the command line", async () => {
  const file = configFile("quiet.yml", "log.level: warn\n");
  for (const args of [[`--config.file=${file}`], ["--log.level=warn"]]) {
    const agent = await startAgent({ roles: ["node", "push"], args });
    expect(await agent.stop()).toBe(0);
    expect(agent.output()).not.toContain("level=info");
  }
  const loud = await startAgent({ roles: ["node"], args: [`--config.file=${file}`, "--log.level=info"] });
  expect(await loud.stop()).toBe(0);
  expect(loud.output()).toContain('level=info role=node msg="role started"');
});

describe("a bad config file exits 2 with one line naming the key", () => {
  const cases: Array<[string, string, string]> = [
    ["an unknown nested key", "push:\n  bogus-setting: 1\n", "push.bogus-setting"],
    ["an unknown dotted key", "node.listen-adress: ':9100'\n", "node.listen-adress"],
    ["an unknown top-level key", "color: blue\n", "color"],
    ["a bad log level", "log:\n  level: loud\n", "--log.level"],
    ["a bad listen address", "node:\n  listen-address: nowhere\n", "--node.listen-address"],
    ["an unknown role", "roles: [node, gpu]\n", "gpu"],
    ["a mapping where a list belongs", "roles: {node: true}\n", "--roles"],
    ["a bad value for a role that is not enabled", "roles: [node]\ncluster.timeout: soon\n", "--cluster.timeout"],
    ["two roles on one address", "roles: [node, push]\nnode.listen-address: '127.0.0.1:19999'\npush.listen-address: '127.0.0.1:19999'\n", "--push.listen-address"],
    ["a file that is not YAML", "roles: [node\n", "--config.file"],
    ["YAML broken on line 4, with its line and column", "roles: [node]\nlog:\n  level: info\n   format: json\n", "bad.yml:4:"],
    ["a tab for indentation, with its line", "push:\n\tlisten-address: ':9091'\n", "bad.yml:2:"],
    ["a list instead of settings", "- roles: [node]\n", "expected a mapping"],
    ["a config file naming another", "config.file: other.yml\n", "--config.file"],
  ];
  test.each(cases)("%s", async (_what, yaml, culprit) => {
    const file = configFile("bad.yml", yaml);
    const { code, stderr } = await runAgent([`--config.file=${file}`, `--storage.path=${join(dir, "unused")}`]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain(culprit);
    expect(existsSync(join(dir, "unused"))).toBe(false);
  });
});
