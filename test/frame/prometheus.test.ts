// Real Prometheus in the loop: one agent runs every role (the cluster role querying this same Prometheus),
// promtool lints each role's /metrics, and Prometheus scrapes them all at a 1 s interval. The pattern for
// role tests: start Prometheus, start the agent against it, then `reload` with the agent's targets.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { freePort, startAgent, startPrometheus, waitForHttp, type RunningAgent, type RunningPrometheus } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

const ROLES = ["node", "push", "cluster"];

let prom: RunningPrometheus;
let agent: RunningAgent;

beforeAll(async () => {
  prom = await startPrometheus({ scrapeConfigs: [] });
  agent = await startAgent({ roles: ROLES, args: [`--cluster.prometheus-url=${prom.url}`] });
  await prom.reload(
    ROLES.map((role) => ({
      job_name: role,
      honor_labels: role === "push",
      static_configs: [{ targets: [`127.0.0.1:${agent.ports[role]}`] }],
    })),
  );
});

afterAll(async () => {
  const code = await agent?.stop();
  await prom?.stop();
  expect(code).toBe(0);
});

async function promtoolCheck(body: string): Promise<{ code: number; problems: string[] }> {
  const p = Bun.spawn(["promtool", "check", "metrics"], { stdin: new TextEncoder().encode(body), stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, problems: `${out}${err}`.split("\n").filter((l) => l.trim() !== "") };
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { "Accept-Encoding": "identity" } });
  expect(res.status).toBe(200);
  return res.text();
}

/** `node_netstat_TcpExt_TCPTimeouts metric names should be ...` -> `node_netstat metric names should be ...` */
function problemKind(line: string): string {
  const space = line.indexOf(" ");
  return `${line.slice(0, space).split("_").slice(0, 2).join("_")}${line.slice(space)}`;
}

describe("promtool check metrics", () => {
  test.each(["push", "cluster"])("passes without a single remark on the %s role's /metrics", async (role) => {
    const body = await scrape(agent.urls[role]!);
    expect(body).toContain("agent_build_info{");
    expect(await promtoolCheck(body)).toEqual({ code: 0, problems: [] });
  });

  // node_exporter's names embed kernel field names (node_memory_MemFree_bytes), which promtool's linter
  // flags; a drop-in must keep them. The node role may have exactly the remarks the real node_exporter's
  // naming earns (same family, same remark), and no parse error or remark of its own.
  test("passes on the node role's /metrics, remarks only where node_exporter's own names earn them", async () => {
    const body = await scrape(agent.urls.node!);
    expect(body).toContain("agent_build_info{");
    const ours = await promtoolCheck(body);
    const port = await freePort();
    const real = Bun.spawn(["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`], { stdout: "ignore", stderr: "ignore" });
    let theirs: { code: number; problems: string[] };
    try {
      await waitForHttp(`http://127.0.0.1:${port}/metrics`);
      theirs = await promtoolCheck(await scrape(`http://127.0.0.1:${port}`));
    } finally {
      real.kill();
      await real.exited;
    }
    expect(theirs.code).not.toBe(1);
    const excused = new Set(theirs.problems.map(problemKind));
    expect(ours.problems.filter((l) => !excused.has(problemKind(l)))).toEqual([]);
    expect(ours.code).toBe(ours.problems.length === 0 ? 0 : 3); // 3: lint remarks only; 1 would be a parse error
  });
});

describe("scraped by a real Prometheus", () => {
  test("every role's target is up", async () => {
    const up = await prom.waitFor(`up{job=~"${ROLES.join("|")}"} == 1`, (r) => r.length === ROLES.length, 30000);
    expect(up.map((s) => s.metric.job).sort()).toEqual([...ROLES].sort());
    const targets = await prom.targets();
    for (const role of ROLES) {
      const t = targets.find((x) => x.labels.job === role)!;
      expect({ role, health: t.health, lastError: t.lastError }).toEqual({ role, health: "up", lastError: "" });
    }
  });

  test("the agent's own metrics arrive for every role's job", async () => {
    const cpu = await prom.waitFor("process_cpu_seconds_total", (r) => r.length === ROLES.length);
    expect(cpu.map((s) => s.metric.job).sort()).toEqual([...ROLES].sort());
    const info = await prom.waitFor("agent_build_info == 1", (r) => r.length === ROLES.length);
    for (const s of info) {
      expect(s.metric.roles).toBe(ROLES.join(","));
      expect(s.metric.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(s.metric.bun_version).toMatch(/^\d+\.\d+\.\d+$/);
    }
    const rss = await prom.query("process_resident_memory_bytes");
    expect(rss).toHaveLength(ROLES.length);
    for (const s of rss) expect(Number(s.value[1])).toBeGreaterThan(1024 * 1024);
  });
});
