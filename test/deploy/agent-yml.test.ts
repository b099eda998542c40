// deploy/agent.yml is the example config sites start from: it must name every key and load in the real binary.
import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { exampleConfig } from "../../packages/agent/src/config-example.ts";
import { flagGroups } from "../../packages/agent/src/global-flags.ts";
import { allRoles } from "../../packages/agent/src/roles.ts";
import { REPO_ROOT, startAgent } from "../harness/index.ts";

const file = join(REPO_ROOT, "deploy/agent.yml");

test("deploy/agent.yml is what the flag definitions generate (run `bun scripts/agent-yml.ts` after adding a flag)", () => {
  expect(readFileSync(file, "utf8")).toBe(exampleConfig(flagGroups(allRoles())));
});

test("deploy/agent.yml names every flag of every role with a comment", () => {
  const text = readFileSync(file, "utf8");
  const lines = text.split("\n");
  for (const group of flagGroups(allRoles())) {
    for (const spec of Object.values(group.flags)) {
      if (spec.name === "config.file") continue;
      const at = lines.findIndex((l) => l.replace(/^# /, "").startsWith(`${spec.name}: `));
      expect(at).toBeGreaterThan(0);
      expect(lines[at - 1]!.startsWith("# ")).toBe(true);
    }
  }
});

test("the compiled agent starts every role from deploy/agent.yml", async () => {
  const agent = await startAgent({
    roles: ["node", "push", "cluster"],
    args: [`--config.file=${file}`, "--cluster.prometheus-url=http://127.0.0.1:9"],
  });
  try {
    for (const url of Object.values(agent.urls)) expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  } finally {
    expect(await agent.stop()).toBe(0);
  }
});
