/**
 * --push.store=etcd on a real 3-member etcd cluster (Debian's etcd-server): agents sharing it serve the same
 * groups, conflicting pushes through two agents never both succeed, a TTL expires once for the cluster,
 * acknowledged pushes survive a killed agent and a lost member, and `push-store copy` moves groups over.
 */
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeTestPki, runAgent, startAgent, startEtcd, startEtcdProxy, type EtcdProxy, type RunningAgent, type RunningEtcd } from "../harness/index.ts";

setDefaultTimeout(60_000);

let etcd: RunningEtcd;
let agents: RunningAgent[] = [];

beforeAll(async () => {
  etcd = await startEtcd(3);
});
afterAll(async () => {
  for (const a of agents) await a.stop("SIGKILL");
  await etcd?.stop();
});

/**
 * An agent on the shared cluster under `prefix` (one prefix per test: their groups stay apart), through
 * `endpoints` (a relay's, say) or all members'.
 */
async function etcdAgent(prefix: string, extra: string[] = [], endpoints = etcd.endpoints): Promise<RunningAgent> {
  const a = await startAgent({
    roles: ["push"],
    args: ["--push.store=etcd", `--push.etcd.endpoints=${endpoints}`, `--push.etcd.prefix=${prefix}`, "--push.enable-admin-api", ...extra],
  });
  agents.push(a);
  return a;
}

async function stopAll(): Promise<void> {
  for (const a of agents) await a.stop();
  agents = [];
}

const push = (a: RunningAgent, path: string, body: string, method = "PUT", headers: Record<string, string> = {}) =>
  fetch(a.urls.push + path, { method, body, headers }).then((r) => r.status);

/** The job labels of `metric` that the agent serves on /metrics. */
async function jobsOf(a: RunningAgent, metric: string): Promise<string[]> {
  const text = await fetch(`${a.urls.push}/metrics`).then((r) => r.text());
  return [...text.matchAll(new RegExp(`^${metric}\\{[^}]*job="([^"]+)"`, "gm"))].map((m) => m[1]!).sort();
}

/** The value the agent serves for `metric` in job `job`; undefined when it serves none. */
async function valueOf(a: RunningAgent, metric: string, job: string): Promise<number | undefined> {
  const text = await fetch(`${a.urls.push}/metrics`).then((r) => r.text());
  const m = new RegExp(`^${metric}\\{[^}]*job="${job}"[^}]*\\} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * Runs `body` with a relay to member 0 (the member every agent starts on) for agents to go through, then stops
 * the test's agents and the relay.
 */
async function throughRelay(body: (proxy: EtcdProxy) => Promise<void>): Promise<void> {
  const proxy = startEtcdProxy(etcd.members[0]!.clientUrl);
  try {
    await body(proxy);
  } finally {
    await stopAll();
    proxy.stop();
  }
}

/** Polls until `f` returns `want` or `ms` pass; returns the last value. */
async function within<T>(ms: number, f: () => Promise<T>, want: T): Promise<T> {
  const until = Date.now() + ms;
  let last = await f();
  while (!Bun.deepEquals(last, want) && Date.now() < until) {
    await Bun.sleep(20);
    last = await f();
  }
  return last;
}

test("pushes, deletes and wipes through either agent are served by both within 1 s", async () => {
  const [a, b] = [await etcdAgent("/t1/"), await etcdAgent("/t1/")];
  expect(await push(a, "/metrics/job/from_a", "shared_probe 1\n")).toBe(200);
  expect(await within(1000, () => jobsOf(b, "shared_probe"), ["from_a"])).toEqual(["from_a"]);
  expect(await push(b, "/metrics/job/from_b", "shared_probe 2\n", "POST")).toBe(200);
  expect(await within(1000, () => jobsOf(a, "shared_probe"), ["from_a", "from_b"])).toEqual(["from_a", "from_b"]);

  // The type clash is seen across agents: b holds from_a's gauge, pushed through a.
  expect(await push(b, "/metrics/job/clash", "# TYPE shared_probe counter\nshared_probe 3\n")).toBe(400);

  expect((await fetch(`${b.urls.push}/metrics/job/from_a`, { method: "DELETE" })).status).toBe(202);
  expect(await within(1000, () => jobsOf(a, "shared_probe"), ["from_b"])).toEqual(["from_b"]);
  expect((await fetch(`${a.urls.push}/api/v1/admin/wipe`, { method: "PUT" })).status).toBe(202);
  expect(await within(1000, () => jobsOf(b, "shared_probe"), [])).toEqual([]);

  // A third agent started now reads what is there.
  expect(await push(a, "/metrics/job/late", "shared_probe 4\n")).toBe(200);
  const c = await etcdAgent("/t1/");
  expect(await jobsOf(c, "shared_probe")).toEqual(["late"]);
  const page = async () => {
    const text = await fetch(`${c.urls.push}/`).then((r) => r.text());
    return /stored in etcd \(([^)]*)\), served by (\d+) replicas/.exec(text)?.slice(1);
  };
  expect(await within(5000, page, [`${etcd.endpoints} under /t1/`, "3"])).toEqual([`${etcd.endpoints} under /t1/`, "3"]);
  await b.stop();
  agents = agents.filter((x) => x !== b);
  expect(await within(2000, page, [`${etcd.endpoints} under /t1/`, "2"])).toEqual([`${etcd.endpoints} under /t1/`, "2"]);
  await stopAll();
});

test("conflicting pushes at the same instant to two agents never both succeed", async () => {
  const [a, b] = [await etcdAgent("/t2/"), await etcdAgent("/t2/")];
  let bothRefused = 0;
  for (let i = 0; i < 40; i++) {
    const name = `clash_${i}`;
    const [sa, sb] = await Promise.all([
      push(a, `/metrics/job/a${i}`, `# TYPE ${name} gauge\n${name} 1\n`),
      push(b, `/metrics/job/b${i}`, `# TYPE ${name} counter\n${name} 1\n`),
    ]);
    expect([sa, sb].sort()).not.toEqual([200, 200]);
    expect([200, 400]).toContain(sa);
    expect([200, 400]).toContain(sb);
    if (sa === 400 && sb === 400) bothRefused++;
  }
  // Each round one of the two goes first, and the other is then checked against it.
  expect(bothRefused).toBe(0);
  await stopAll();
});

test("a TTL expires the group once for the whole cluster", async () => {
  const args = ["--push.expiry-sweep-interval=100ms"];
  const [a, b] = [await etcdAgent("/t3/", args), await etcdAgent("/t3/", args)];
  for (let i = 0; i < 5; i++) expect(await push(a, `/metrics/job/ttl${i}`, "ttl_probe 1\n", "PUT", { "X-Push-TTL": "500ms" })).toBe(200);
  expect(await within(1000, () => jobsOf(b, "ttl_probe"), ["ttl0", "ttl1", "ttl2", "ttl3", "ttl4"])).toHaveLength(5);
  expect(await within(3000, () => jobsOf(a, "ttl_probe"), [])).toEqual([]);
  expect(await within(1000, () => jobsOf(b, "ttl_probe"), [])).toEqual([]);
  const expired = async (x: RunningAgent) => {
    const text = await fetch(`${x.urls.push}/metrics`).then((r) => r.text());
    return Number(/^agent_push_groups_expired_total (\S+)$/m.exec(text)![1]);
  };
  // A sweep takes groups out of its view before etcd has deleted them; the count follows the deletes.
  const total = async () => (await expired(a)) + (await expired(b));
  expect(await within(2000, total, 5)).toBe(5);
  await Bun.sleep(500);
  expect(await total()).toBe(5);
  await stopAll();
});

test("faults: with one agent killed and one etcd member down, every acknowledged push is served by the survivors", async () => {
  const [a, b] = [await etcdAgent("/t4/"), await etcdAgent("/t4/")];
  const acked = new Array<number>(8).fill(0);
  const tried = new Array<number>(8).fill(0);
  let running = true;
  const statuses = new Map<number, number>();
  const client = async (i: number) => {
    for (let n = 1; running; n++) {
      // Behind one Service name: each push goes to either agent, the other when that one fails.
      const order = n % 2 ? [a, b] : [b, a];
      tried[i] = n;
      for (const agent of order) {
        const status = await push(agent, `/metrics/job/client/n/${i}`, `fault_probe ${n}\n`).catch(() => 0);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200) {
          acked[i] = n;
          break;
        }
      }
    }
  };
  const clients = Array.from({ length: 8 }, (_, i) => client(i));
  await Bun.sleep(1000);
  await a.stop("SIGKILL");
  await Bun.sleep(1000);
  await etcd.kill(0);
  await Bun.sleep(3000);
  running = false;
  await Promise.all(clients);
  expect(Math.min(...acked)).toBeGreaterThan(10);

  /** client -> value served; each must be its last acknowledged push, or a later one whose answer was lost. */
  const served = async (x: RunningAgent) => {
    const text = await fetch(`${x.urls.push}/metrics`).then((r) => r.text());
    const values = new Array<number>(8).fill(0);
    for (const m of text.matchAll(/^fault_probe\{[^}]*n="(\d)"\} (\d+)$/gm)) values[Number(m[1])] = Number(m[2]);
    return values;
  };
  const check = (values: number[]) => {
    for (let i = 0; i < 8; i++) {
      expect(values[i]!).toBeGreaterThanOrEqual(acked[i]!);
      expect(values[i]!).toBeLessThanOrEqual(tried[i]!);
    }
  };
  check(await served(b));
  // b watched the killed member (every agent starts on the first endpoint): it read afresh and says so. The
  // fresh read waits for b's commits under way, and one sent as the member died may wait out its 5 s timeout
  // (its push answered 503, though etcd may have committed it: the fresh read then brings it).
  const resynced = async () => b.output().includes("etcd view resynchronised from a fresh read");
  expect(await within(10_000, resynced, true)).toBe(true);
  const viewB = await served(b);
  check(viewB);
  const bMetrics = await fetch(`${b.urls.push}/metrics`).then((r) => r.text());
  expect(Number(/^agent_push_etcd_resyncs_total (\d+)$/m.exec(bMetrics)![1])).toBeGreaterThanOrEqual(1);
  // Refusals while etcd was re-electing or the watch was lost are 503s with a reason, never anything else.
  expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503 && s !== 0)).toEqual([]);
  // The killed agent comes back (on the cluster with one member still down) and serves the same.
  const again = await etcdAgent("/t4/");
  expect(await within(1000, () => served(again), viewB)).toEqual(viewB);
  await etcd.restart(0);
  console.log(`fault test: answers by status (0: connection refused) ${JSON.stringify(Object.fromEntries(statuses))}`);
  await stopAll();
});

test("with etcd out of reach /-/ready and pushes answer 503; once it is back both work and nothing stored is lost", async () => {
  const a = await etcdAgent("/t5/");
  expect(await push(a, "/metrics/job/before", "reach_probe 1\n")).toBe(200);
  for (let i = 0; i < 3; i++) await etcd.kill(i);
  const ready = () => fetch(`${a.urls.push}/-/ready`).then((r) => r.status);
  expect(await within(8000, ready, 503)).toBe(503);
  expect(await fetch(`${a.urls.push}/-/ready`).then((r) => r.text())).toContain("etcd");
  const refused = await fetch(`${a.urls.push}/metrics/job/during`, { method: "PUT", body: "reach_probe 2\n" });
  expect(refused.status).toBe(503);
  expect(await refused.text()).toContain("storage unreachable: etcd");
  // What it holds is still served meanwhile.
  expect(await jobsOf(a, "reach_probe")).toEqual(["before"]);
  await Promise.all([0, 1, 2].map((i) => etcd.restart(i)));
  expect(await within(15_000, ready, 200)).toBe(200);
  expect(await push(a, "/metrics/job/after", "reach_probe 3\n")).toBe(200);
  expect(await jobsOf(a, "reach_probe")).toEqual(["after", "before"]);
  await stopAll();
});

test("push-store copy moves the groups from LMDB to etcd and back; a bad store or a non-empty target is refused", async () => {
  const dir = mkdtempSync(join(tmpdir(), "push-copy-"));
  mkdirSync(join(dir, "source"));
  const lmdb = await startAgent({ roles: ["push"], storagePath: join(dir, "source") });
  try {
    for (let i = 0; i < 30; i++) expect(await push(lmdb, `/metrics/job/copied/n/${i}`, `# HELP copy_probe Copied.\ncopy_probe ${i}\n`)).toBe(200);
    const before = await jobsOf(lmdb, "copy_probe");
    const groupsOf = async (a: RunningAgent) => {
      const listed = (await fetch(`${a.urls.push}/api/v1/metrics`).then((r) => r.json())) as { data: { labels: Record<string, string> }[] };
      return listed.data.map((g) => JSON.stringify(g.labels)).sort();
    };
    const groups = await groupsOf(lmdb);
    const lmdbDir = join(dir, "source", "push");
    await lmdb.stop();

    const toEtcd = await runAgent(["push-store", "copy", `--from=lmdb:${lmdbDir}`, `--to=etcd:${etcd.endpoints}`, "--etcd.prefix=/t6/"]);
    expect(toEtcd.stdout).toContain("copied 30 groups");
    expect(toEtcd.code).toBe(0);
    const shared = await etcdAgent("/t6/");
    expect(await jobsOf(shared, "copy_probe")).toEqual(before);
    expect(await groupsOf(shared)).toEqual(groups);
    await stopAll();

    // Into a store that holds groups already: refused, nothing written.
    const again = await runAgent(["push-store", "copy", `--from=lmdb:${lmdbDir}`, `--to=etcd:${etcd.endpoints}`, "--etcd.prefix=/t6/"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("holds 30 groups already");

    const back = await runAgent(["push-store", "copy", `--from=etcd:${etcd.endpoints}`, `--to=lmdb:${join(dir, "restored", "push")}`, "--etcd.prefix=/t6/"]);
    expect(back.code).toBe(0);
    const restored = await startAgent({ roles: ["push"], storagePath: join(dir, "restored") });
    expect(await groupsOf(restored)).toEqual(groups);
    expect(await jobsOf(restored, "copy_probe")).toEqual(before);
    await restored.stop();

    const bad = await runAgent(["push-store", "copy", "--from=redis:x", `--to=lmdb:${dir}`]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('"redis:x" is neither lmdb:PATH nor etcd:');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("TLS to etcd: with the CA and a client certificate the agent stores pushes; without them it does not start", async () => {
  const pki = makeTestPki();
  const secure = await startEtcd(1, pki);
  try {
    const base = ["--push.store=etcd", `--push.etcd.endpoints=${secure.endpoints}`];
    const a = await startAgent({
      roles: ["push"],
      args: [...base, `--push.etcd.tls-ca-file=${pki.caCert}`, `--push.etcd.tls-cert-file=${pki.clientCert}`, `--push.etcd.tls-key-file=${pki.clientKey}`],
    });
    expect(await push(a, "/metrics/job/tls", "tls_probe 1\n")).toBe(200);
    expect(await jobsOf(a, "tls_probe")).toEqual(["tls"]);
    await a.stop();
    const refused = await startAgent({ roles: ["push"], args: [...base, `--push.etcd.tls-ca-file=${pki.caCert}`], noWait: true });
    expect(await refused.proc.exited).toBe(1);
    expect(refused.output()).toContain("no etcd endpoint answers");
    await refused.stop();
    const halfFlags = await runAgent(["--roles=push", ...base, `--push.etcd.tls-cert-file=${pki.clientCert}`]);
    expect(halfFlags.code).toBe(2);
    expect(halfFlags.stderr).toContain("--push.etcd.tls-cert-file and --push.etcd.tls-key-file go together");
  } finally {
    await secure.stop();
    pki.remove();
  }
});

test("a watch on a member cut off from the others (SIGSTOP) is found stale and replaced after a fresh read", async () => {
  // Every agent starts on the first endpoint: both watch member 0.
  const [a, b] = [await etcdAgent("/t7/"), await etcdAgent("/t7/")];
  const frozen = etcd.members[0]!.proc!;
  process.kill(frozen.pid, "SIGSTOP");
  try {
    // a's request to member 0 times out, and it goes on to the next member.
    expect(await push(a, "/metrics/job/while_frozen", "frozen_probe 1\n")).toBe(200);
    expect(await within(20_000, () => jobsOf(b, "frozen_probe"), ["while_frozen"])).toEqual(["while_frozen"]);
    expect(b.output()).toContain("etcd watch is stale");
    expect(b.output()).toContain("etcd view resynchronised from a fresh read");
  } finally {
    process.kill(frozen.pid, "SIGCONT");
  }
  await stopAll();
});

test("a group bigger than etcd takes is refused with 413 alone; pushes beside it and after it are stored", async () => {
  const a = await etcdAgent("/t8/");
  let big = "";
  for (let i = 0; i < 40_000; i++) big += `big_probe{i="${i}",pad="${"x".repeat(30)}"} 1\n`;
  const [bigAnswer, ...small] = await Promise.all([
    fetch(`${a.urls.push}/metrics/job/big`, { method: "PUT", body: big }),
    ...Array.from({ length: 5 }, (_, i) => push(a, `/metrics/job/beside${i}`, "beside_probe 1\n")),
  ]);
  expect(bigAnswer.status).toBe(413);
  expect(await bigAnswer.text()).toContain("--max-request-bytes");
  expect(small).toEqual([200, 200, 200, 200, 200]);
  expect(await push(a, "/metrics/job/after", "beside_probe 2\n")).toBe(200);
  expect(await jobsOf(a, "big_probe")).toEqual([]);
  expect(await jobsOf(a, "beside_probe")).toEqual(["after", "beside0", "beside1", "beside2", "beside3", "beside4"]);
  await stopAll();
});

test("a fresh read taken while this agent's own commit is in flight does not take the acknowledged push back", () =>
  throughRelay(async (proxy) => {
    const a = await etcdAgent("/t9/", [], proxy.url);
    expect(await push(a, "/metrics/job/k", "resync_probe 1\n")).toBe(200);
    proxy.holdTxns();
    const second = push(a, "/metrics/job/k", "resync_probe 2\n");
    await proxy.held();
    // The watch is lost while the commit waits; the agent reads afresh 500 ms later.
    proxy.cutWatches();
    await Bun.sleep(1500);
    proxy.releaseTxns();
    expect(await second).toBe(200);
    expect(await within(1000, () => valueOf(a, "resync_probe", "k"), 2)).toBe(2);
    expect(await within(5000, async () => a.output().includes("etcd view resynchronised from a fresh read"), true)).toBe(true);
    expect(await valueOf(a, "resync_probe", "k")).toBe(2);
  }));

test("another agent's change that arrives while a push waits for its commit makes the push be checked again, not lost", () =>
  throughRelay(async (proxy) => {
    const a = await etcdAgent("/t10/");
    const b = await etcdAgent("/t10/", [], proxy.url);
    expect(await push(b, "/metrics/job/k", "order_probe 1\n")).toBe(200);
    expect(await within(1000, () => valueOf(a, "order_probe", "k"), 1)).toBe(1);
    // b's commit of another group waits in the relay; b's push of k queues behind it, in b's view at once.
    proxy.holdTxns();
    const other = push(b, "/metrics/job/other", "other_probe 1\n");
    await proxy.held();
    const mine = push(b, "/metrics/job/k", "order_probe 3\n");
    expect(await within(1000, () => valueOf(b, "order_probe", "k"), 3)).toBe(3);
    // Meanwhile a stores 2 in k, and b's watch brings it.
    expect(await push(a, "/metrics/job/k", "order_probe 2\n")).toBe(200);
    expect(await within(1000, () => valueOf(b, "order_probe", "k"), 2)).toBe(2);
    proxy.releaseTxns();
    expect(await mine).toBe(200);
    expect(await other).toBe(200);
    // 3 was acknowledged after 2: both serve 3.
    expect(await within(1000, () => valueOf(b, "order_probe", "k"), 3)).toBe(3);
    expect(await within(1000, () => valueOf(a, "order_probe", "k"), 3)).toBe(3);
  }));

test("another agent's push that arrives while a delete waits for its commit, and that etcd orders before it, is deleted on both", () =>
  throughRelay(async (proxy) => {
    const a = await etcdAgent("/t11/");
    const b = await etcdAgent("/t11/", [], proxy.url);
    expect(await push(a, "/metrics/job/k", "gone_probe 1\n")).toBe(200);
    expect(await within(1000, () => valueOf(b, "gone_probe", "k"), 1)).toBe(1);
    // b's commit of another group waits in the relay; b's delete of k queues behind it, out of b's view at once.
    proxy.holdTxns();
    const other = push(b, "/metrics/job/other", "other_probe 1\n");
    await proxy.held();
    const deleted = fetch(`${b.urls.push}/metrics/job/k`, { method: "DELETE" }).then((r) => r.status);
    expect(await within(1000, () => valueOf(b, "gone_probe", "k"), undefined)).toBeUndefined();
    // Meanwhile a stores 2 in k, and b's watch brings it.
    expect(await push(a, "/metrics/job/k", "gone_probe 2\n")).toBe(200);
    expect(await within(1000, () => valueOf(b, "gone_probe", "k"), 2)).toBe(2);
    proxy.releaseTxns();
    expect(await deleted).toBe(202);
    expect(await other).toBe(200);
    // The delete came last: neither serves k.
    expect(await within(1000, () => valueOf(a, "gone_probe", "k"), undefined)).toBeUndefined();
    expect(await within(1000, () => valueOf(b, "gone_probe", "k"), undefined)).toBeUndefined();
  }));

test("a commit that etcd made but never answered is not undone in the view: the agent reads afresh", () =>
  throughRelay(async (proxy) => {
    const a = await etcdAgent("/t12/", [], proxy.url);
    expect(await push(a, "/metrics/job/k", "unanswered_probe 1\n")).toBe(200);
    proxy.holdTxnAnswers();
    // etcd commits 2, but its answer never comes within the agent's 5 s request timeout.
    expect(await push(a, "/metrics/job/k", "unanswered_probe 2\n")).toBe(503);
    proxy.releaseTxns();
    expect(await within(2000, () => valueOf(a, "unanswered_probe", "k"), 2)).toBe(2);
    expect(a.output()).toContain("etcd did not answer a commit");
  }));
