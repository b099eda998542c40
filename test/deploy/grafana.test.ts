// The Grafana dashboards under deploy/grafana are what sites import: valid JSON with a Prometheus data-source
// variable, and every metric their queries name is one the agent really serves (checked on a live scrape).
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseText } from "../../packages/core/src/index.ts";
import { agentBinary, REPO_ROOT, startAgent, type RunningAgent } from "../harness/index.ts";
import { standinDir, standinPrometheus, vectorAnswer, type StandinDir, type StandinPrometheus } from "../cluster/standins.ts";

interface Target {
  expr: string;
  datasource?: { type: string; uid: string };
}
interface Panel {
  title: string;
  datasource?: { type: string; uid: string };
  targets?: Target[];
}
interface Dashboard {
  title: string;
  uid: string;
  panels: Panel[];
  templating: { list: Array<{ name: string; type: string; query: unknown }> };
}

const dir = join(REPO_ROOT, "deploy/grafana");
const dashboards = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .map((f) => ({ file: f, json: JSON.parse(readFileSync(join(dir, f), "utf8")) as Dashboard }));

const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "inf", "nan"]);

/** Metric names a PromQL expression selects: identifiers that are neither functions, keywords nor label names. */
export function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // label values
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ""); // grouping label lists
  const names: string[] = [];
  for (const m of bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = bare.slice(m.index! + m[0].length).trimStart();
    if (after.startsWith("(") || PROMQL_WORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return names;
}

test("metricNames finds selectors and skips functions, keywords and grouping labels", () => {
  expect(metricNames('histogram_quantile(0.99, sum by (le) (rate(a_bucket{x=~"$i"}[5m])))')).toEqual(["a_bucket"]);
  expect(metricNames("count(b > c) or vector(0)")).toEqual(["b", "c"]);
  expect(metricNames("sort_desc(time() - max by (job) (d))")).toEqual(["d"]);
});

describe.each(dashboards)("$file", ({ json }) => {
  test("has a title, a uid and a Prometheus data-source variable that every panel uses", () => {
    expect(json.title).toBeTruthy();
    expect(json.uid).toMatch(/^agent-/);
    const ds = json.templating.list.find((v) => v.type === "datasource");
    expect(ds?.query).toBe("prometheus");
    expect(json.panels.length).toBeGreaterThan(5);
    for (const p of json.panels) {
      expect(p.datasource).toEqual({ type: "prometheus", uid: `\${${ds!.name}}` });
      expect(p.targets?.length).toBeGreaterThan(0);
    }
  });
});

describe("every metric a dashboard queries is served by a live agent", () => {
  let agent: RunningAgent;
  let prom: StandinPrometheus;
  let bin: StandinDir;
  const served = new Set<string>();

  beforeAll(async () => {
    // Cluster: an upstream Prometheus answering with one SLURM job and one process, and a squeue that knows the job.
    prom = standinPrometheus((q) => {
      const rows = [
        { metric: { jobid: "4242", target: "lustre-MDT0000" }, value: 2e6 },
        { metric: { jobid: "python3.0", target: "lustre-MDT0000" }, value: 3e6 },
      ];
      return vectorAnswer(rows);
    });
    bin = standinDir();
    bin.script("squeue", 'echo "4242 physics alice"');
    agent = await startAgent({
      roles: ["push", "cluster"],
      args: [`--cluster.prometheus-url=${prom.url}`, "--push.max-series-per-push=20"],
      env: { PATH: bin.path() },
    });
    const gateway = agent.urls.push!;
    // Batch jobs as agent exec reports them: one success, one failure.
    for (const [job, code] of [["etl", 0], ["backup", 3]] as const) {
      const p = Bun.spawnSync([agentBinary(), "exec", "--gateway", gateway, "--job", job, "--", "sh", "-c", `exit ${code}`]);
      expect(p.exitCode).toBe(code);
    }
    // A refused push (too many series) and a delete, so those counters have samples.
    const many = Array.from({ length: 21 }, (_, i) => `m${i} 1\n`).join("");
    expect((await fetch(`${gateway}/metrics/job/etl`, { method: "POST", body: many })).status).toBe(413);
    expect((await fetch(`${gateway}/metrics/job/gone`, { method: "DELETE" })).status).toBe(202);
    for (const url of Object.values(agent.urls)) {
      for (const f of parseText(await (await fetch(`${url}/metrics`)).text())) for (const s of f.samples) served.add(s.name);
    }
  });

  afterAll(async () => {
    await agent?.stop();
    prom?.stop();
    bin?.remove();
  });

  test.each(dashboards)("$file", ({ json }) => {
    const missing = new Set<string>();
    for (const p of json.panels) for (const t of p.targets ?? []) for (const n of metricNames(t.expr)) if (!served.has(n)) missing.add(n);
    expect([...missing]).toEqual([]);
  });
});
