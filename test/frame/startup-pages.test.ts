// --memory.release-startup-pages on the compiled agent: the executable's pages that only start-up used leave
// its resident set, and the roles serve on as before.
import { afterEach, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { agentBinary, startAgent, type RunningAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

let agent: RunningAgent | undefined;
afterEach(async () => {
  await agent?.stop();
  agent = undefined;
});

/** Resident KiB of the agent's mappings of its own executable file. */
function executableResidentKiB(pid: number): number {
  const exe = agentBinary();
  let kib = 0;
  let inExe = false;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "latin1").split("\n")) {
    if (/^[0-9a-f]+-[0-9a-f]+ /.test(line)) inExe = line.endsWith(" " + exe);
    else if (inExe && line.startsWith("Rss:")) kib += Number(line.split(/\s+/)[1]);
  }
  return kib;
}

async function waitForLog(a: RunningAgent, text: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!a.output().includes(text)) {
    if (Date.now() > until) throw new Error(`no "${text}" in the log:\n${a.output()}`);
    await Bun.sleep(100);
  }
}

test("start-up pages leave the resident set once the delay has passed; node and push serve on", async () => {
  agent = await startAgent({ roles: ["node", "push"], args: ["--memory.release-startup-pages=2s", "--log.level=debug"] });
  const metrics = async () => (await fetch(`${agent!.urls.node}/metrics`)).text();
  expect(await metrics()).toContain("node_load1 ");
  const before = executableResidentKiB(agent.proc.pid);
  await waitForLog(agent, "released start-up pages", 10_000);
  const released = executableResidentKiB(agent.proc.pid);
  expect(released).toBeLessThan(before / 2);
  for (let i = 0; i < 5; i++) expect(await metrics()).toContain('node_scrape_collector_success{collector="cpu"} 1');
  const push = await fetch(`${agent.urls.push}/metrics/job/after-release`, { method: "PUT", body: "x 1\n" });
  expect(push.status).toBe(200);
  expect(await (await fetch(`${agent.urls.push}/metrics`)).text()).toContain('x{instance="",job="after-release"} 1');
  // Pages a scrape needs come back; the start-up-only ones stay out.
  expect(executableResidentKiB(agent.proc.pid)).toBeLessThan(before);
});

test("0 keeps the pages", async () => {
  agent = await startAgent({ roles: ["node"], args: ["--memory.release-startup-pages=0", "--log.level=debug"] });
  await fetch(`${agent.urls.node}/metrics`);
  await Bun.sleep(1500);
  expect(agent.output()).not.toContain("released start-up pages");
});
