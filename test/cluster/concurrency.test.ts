/** One scrape at a time: a scrape that arrives while one runs gets only scrape_ok 0, at once. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startAgent, type RunningAgent } from "../harness/index.ts";
import { scrape, standinDir, standinPrometheus, vectorAnswer } from "./standins.ts";

const bin = standinDir();
const prom = standinPrometheus((q) =>
  vectorAnswer(q.includes("read_bytes") ? [{ metric: { jobid: "100" }, value: 1000 }] : []),
);
let agent: RunningAgent;
/** squeue touches this when it starts: the first scrape is then surely under way. */
const started = join(bin.dir, "started");

beforeAll(async () => {
  // A slow squeue (1.5 s, within the 5 s command timeout) keeps the first scrape busy.
  bin.script("squeue", `touch ${started}; sleep 1.5; echo "100 physics alice"`);
  agent = await startAgent({
    roles: ["cluster"],
    args: [`--cluster.prometheus-url=${prom.url}`, "--cluster.command-timeout=5s", "--cluster.cache-ttl=0s"],
    env: { PATH: bin.path() },
  });
});

afterAll(async () => {
  await agent?.stop();
  prom.stop();
  bin.remove();
});

test("two overlapping scrapes: the second returns scrape_ok 0 alone, before the first finishes", async () => {
  const url = agent.urls.cluster!;
  let firstDone = 0;
  const first = scrape(url).then((s) => ((firstDone = performance.now()), s));
  const until = Date.now() + 10_000;
  while (!existsSync(started) && Date.now() < until) await Bun.sleep(20);
  const second = await scrape(url);
  const secondDone = performance.now();

  expect(second.value("cluster_exporter_scrape_ok")).toBe(0);
  const clusterLines = second.text.split("\n").filter((l) => l.startsWith("cluster_"));
  expect(clusterLines).toEqual(["cluster_exporter_scrape_ok 0"]);
  expect(firstDone).toBe(0);

  const s1 = await first;
  expect(secondDone).toBeLessThan(firstDone);
  expect(s1.value("cluster_exporter_scrape_ok")).toBe(1);
  expect(s1.value("cluster_job_read_throughput_bytes", { account: "physics", user: "alice" })).toBe(1000);
  expect(agent.output()).toContain("Collect is still active... - Skipping now");

  const third = await scrape(url);
  expect(third.value("cluster_exporter_scrape_ok")).toBe(1);
});
