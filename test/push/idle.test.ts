/**
 * Idle is idle: with groups stored but none due, the push role's event loop does not wake to look for
 * expired groups; expiry still comes at each group's deadline, including one earlier than any armed before.
 * Wake-ups are the main thread's runs on a CPU (/proc/<pid>/task/<pid>/schedstat, third field). Bun's own
 * GC timer also wakes that thread, every second for about the first 30 s of a process (measured: then about
 * one run per 15 s); BUN_GC_TIMER_DISABLE takes it out of the count so that only the agent's timers are seen.
 * Requests close their connections: Bun's server checks open sockets' timeouts every second while any is open.
 */
import { expect, setDefaultTimeout, test } from "bun:test";
import { runsOnCpu } from "../../bench/proc.ts";
import { startAgent } from "../harness/index.ts";

setDefaultTimeout(60_000);

test("the push role sleeps while no group is due, and removes each group at its deadline", async () => {
  const agent = await startAgent({ roles: ["push"], env: { BUN_GC_TIMER_DISABLE: "1" }, probe: { keepalive: false } });
  const url = agent.urls.push!;
  try {
    const push = (job: string, ttl: string) =>
      fetch(`${url}/metrics/job/${job}`, { method: "PUT", body: "idle_probe 1\n", headers: { "X-Push-TTL": ttl }, keepalive: false }).then((r) => r.status);
    const jobs = async () => {
      const listed = (await fetch(`${url}/api/v1/groups`, { keepalive: false }).then((r) => r.json())) as { data: { labels: { job: string } }[] };
      return listed.data.map((g) => g.labels.job).sort();
    };
    // The late deadline is armed first; the soon one, earlier, must re-arm the timer.
    expect(await push("late", "1h")).toBe(200);
    expect(await push("forever", "0")).toBe(200);
    const pushedAt = Date.now();
    expect(await push("soon", "1500ms")).toBe(200);
    let goneAt = 0;
    while (Date.now() - pushedAt < 5000) {
      if (!(await jobs()).includes("soon")) {
        goneAt = Date.now();
        break;
      }
      await Bun.sleep(50);
    }
    expect(goneAt - pushedAt).toBeGreaterThanOrEqual(1500);
    // On time: the default --push.expiry-sweep-interval is 1s, and the deadline is not held to it here.
    expect(goneAt - pushedAt).toBeLessThan(2500);
    expect(await jobs()).toEqual(["forever", "late"]);

    await Bun.sleep(1000); // let the requests' own after-work (GC, sockets closing) finish
    const before = runsOnCpu(agent.proc.pid, agent.proc.pid);
    await Bun.sleep(6000);
    const runs = runsOnCpu(agent.proc.pid, agent.proc.pid) - before;
    // A sweep every second (the former behaviour) would be at least 6 runs.
    expect(runs).toBeLessThanOrEqual(1);
    expect(await jobs()).toEqual(["forever", "late"]);
  } finally {
    expect(await agent.stop()).toBe(0);
  }
});
