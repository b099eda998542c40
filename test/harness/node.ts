/** Node-role agents that a test file starts and scrapes once each, all stopped together when the file ends. */
import { expect } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { agentBinary, startAgent, type RunningAgent } from "./agent.ts";
import { FIXTURES } from "../../packages/node-collector/src/testing/golden.ts";

export function nodeScraper(): { scrape(args: string[]): Promise<string>; stopAll(): Promise<void> } {
  const started: RunningAgent[] = [];
  return {
    async scrape(args) {
      const agent = await startAgent({ roles: ["node"], args });
      started.push(agent);
      const res = await fetch(`${agent.urls.node}/metrics`);
      expect(res.status).toBe(200);
      return res.text();
    },
    async stopAll() {
      for (const a of started.splice(0)) await a.stop();
    },
  };
}

/** A collector's golden file from the node fixtures, as text. */
export function fixtureGolden(name: string): string {
  return readFileSync(join(FIXTURES, "golden", `${name}.prom`), "utf8");
}

/** Starts the node role with one bad flag and expects exit 2 with a message that names it. */
export function expectNodeFlagRefused(arg: string, says: string): void {
  const r = Bun.spawnSync([agentBinary(), "--roles", "node", "--node.listen-address=127.0.0.1:0", arg], { stdout: "pipe", stderr: "pipe" });
  expect(r.exitCode).toBe(2);
  expect(r.stderr.toString() + r.stdout.toString()).toContain(says);
}
