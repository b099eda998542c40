/**
 * Migration without edits: dist/agent linked under the names of the programs it replaces, started with
 * the command lines their units use, as an ExecStart would run them.
 */
import { afterAll, expect, setDefaultTimeout, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { agentBinary, freePort, startAgent, startPrometheus, waitForHttp } from "../harness/index.ts";

setDefaultTimeout(60_000);

const links = mkdtempSync(join(tmpdir(), "agent-links-"));
for (const name of ["node_exporter", "pushgateway", "cluster-exporter", "cluster_exporter"]) symlinkSync(agentBinary(), join(links, name));
afterAll(() => rmSync(links, { recursive: true, force: true }));

/** Runs a link to completion (a start-up that must fail, or --version). */
async function runLink(name: string, args: string[]) {
  const proc = Bun.spawn([join(links, name), ...args], { stdout: "pipe", stderr: "pipe", cwd: links });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  return { code: await proc.exited, stdout, stderr };
}

test("a Pushgateway unit's ExecStart: its flags, the admin API, the lifecycle API, and one start-up line", async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pg-unit-"));
  const agent = await startAgent({
    roles: ["push"],
    ports: { push: port },
    fromArgs: true,
    bin: join(links, "pushgateway"),
    cwd: dir,
    args: [
      `--web.listen-address=127.0.0.1:${port}`,
      `--persistence.file=${join(dir, "pushgateway.db")}`,
      "--persistence.interval=5m",
      "--web.enable-admin-api",
      "--web.enable-lifecycle",
      "--web.local-assets=/usr/share/prometheus/pushgateway",
      "--push.enable-utf8-names",
      "--log.level=info",
      "--log.format=logfmt",
    ],
  });
  const url = agent.urls.push!;
  try {
    expect(await fetch(`${url}/metrics/job/unit`, { method: "PUT", body: "unit_metric 1\n" }).then((r) => r.status)).toBe(200);
    expect(await fetch(`${url}/metrics`).then((r) => r.text())).toContain('unit_metric{instance="",job="unit"} 1');
    // The node role does not run: a pushgateway is the push role alone.
    const startLines = agent.output().split("\n").filter((l) => l.includes('msg="starting agent"'));
    expect(startLines).toHaveLength(1);
    expect(startLines[0]).toMatch(/version=\S+ revision=\S+ bun=\S+ roles=push$/);
    expect(agent.output()).not.toContain("role=node");
    // --push.enable-utf8-names takes effect: a quoted UTF-8 name is accepted.
    expect(await fetch(`${url}/metrics/job/unit`, { method: "POST", body: '{"unit.dotted"} 1\n' }).then((r) => r.status)).toBe(200);
    // --web.enable-admin-api is Pushgateway's name for --push.enable-admin-api.
    expect(await fetch(`${url}/api/v1/admin/wipe`, { method: "PUT" }).then((r) => r.status)).toBe(202);
    expect(await fetch(`${url}/metrics`).then((r) => r.text())).not.toContain("unit_metric");
    const quit = await fetch(`${url}/-/quit`, { method: "POST" });
    expect(quit.status).toBe(200);
    expect(await agent.proc.exited).toBe(0);
    expect(agent.output()).toContain("msg=stopping signal=quit");
  } finally {
    await agent.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("without --web.enable-lifecycle /-/quit is refused with 403, as Pushgateway refuses it", async () => {
  const agent = await startAgent({ roles: ["push"] });
  try {
    const quit = await fetch(`${agent.urls.push}/-/quit`, { method: "POST" });
    expect([quit.status, await quit.text()]).toEqual([403, "Lifecycle API is not enabled."]);
    expect(await fetch(`${agent.urls.push}/-/quit`).then((r) => r.status)).toBe(405);
    expect(await fetch(`${agent.urls.push}/-/ready`).then((r) => r.status)).toBe(200);
    expect(agent.proc.exitCode).toBeNull();
  } finally {
    await agent.stop();
  }
});

test("behind --web.route-prefix every route, page link and redirect is under the prefix", async () => {
  const port = await freePort();
  const agent = await startAgent({
    roles: ["push"],
    ports: { push: port },
    fromArgs: true,
    bin: join(links, "pushgateway"),
    noWait: true,
    args: [`--web.listen-address=127.0.0.1:${port}`, "--web.external-url=http://gw.example/pushgateway/", "--web.enable-admin-api", "--storage.path=data"],
  });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/pushgateway/-/ready`);
    expect(await fetch(`${base}/pushgateway/metrics/job/p/instance/i`, { method: "PUT", body: "behind_prefix 2\n" }).then((r) => r.status)).toBe(200);
    expect(await fetch(`${base}/pushgateway/metrics`).then((r) => r.text())).toContain('behind_prefix{instance="i",job="p"} 2');
    expect(await fetch(`${base}/pushgateway/api/v1/status`).then((r) => r.status)).toBe(200);
    // Outside the prefix: / redirects into it, anything else is not there.
    const root = await fetch(`${base}/`, { redirect: "manual" });
    expect(root.status).toBe(302);
    expect(root.headers.get("location")).toBe("/pushgateway/");
    expect(await fetch(`${base}/metrics`).then((r) => r.status)).toBe(404);
    expect(await fetch(`${base}/-/healthy`).then((r) => r.status)).toBe(404);
    // Every path the page links to or fetches is under the prefix, and answers there.
    const page = await fetch(`${base}/pushgateway/`).then((r) => r.text());
    const paths = [...page.matchAll(/(?:href|src|action|data-delete|data-src)="(\/[^"]*)"/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));
    expect(paths.length).toBeGreaterThan(2);
    for (const p of paths) {
      expect(p).toStartWith("/pushgateway/");
      if (!p.includes("/metrics/job")) expect([p, (await fetch(base + p)).status]).toEqual([p, 200]);
    }
    // A real Prometheus scrapes it at the prefixed telemetry path, as a scrape config behind a proxy would.
    const prom = await startPrometheus({
      scrapeConfigs: [{ job_name: "pushgateway", honor_labels: true, metrics_path: "/pushgateway/metrics", static_configs: [{ targets: [`127.0.0.1:${port}`] }] }],
    });
    try {
      const got = await prom.waitFor('behind_prefix{job="p"}', (r) => r.length === 1);
      expect(got[0]!.metric.instance).toBe("i");
      expect(got[0]!.value[1]).toBe("2");
    } finally {
      await prom.stop();
    }
    // The delete the page offers, at the path it gives.
    const del = paths.find((p) => p.includes("/metrics/job/p"));
    expect(del).toBe("/pushgateway/metrics/job/p/instance/i");
    expect(await fetch(base + del!, { method: "DELETE" }).then((r) => r.status)).toBe(202);
    expect(await fetch(`${base}/pushgateway/metrics`).then((r) => r.text())).not.toContain("behind_prefix");
  } finally {
    await agent.stop();
  }
});

test("a node_exporter 1.8 unit's ExecStart: web, collector toggles and per-collector flags, word for word", async () => {
  const port = await freePort();
  const textfiles = join(links, "textfile");
  mkdirSync(textfiles);
  writeFileSync(join(textfiles, "role.prom"), 'node_role_info{role="db"} 1\n');
  // A Debian/Ubuntu-style unit, flags as such units carry them; no quoting, so splitting on blanks gives its words
  const execStart = `node_exporter
      --web.listen-address=127.0.0.1:${port}
      --web.telemetry-path=/node/metrics
      --web.disable-exporter-metrics
      --web.max-requests=40
      --runtime.gomaxprocs=1
      --log.level=warn
      --log.format=logfmt
      --collector.textfile.directory=${textfiles}
      --no-collector.wifi
      --no-collector.infiniband
      --collector.mountstats
      --collector.systemd
      --collector.systemd.unit-include=(ssh|cron|nginx)\\.service
      --collector.systemd.enable-restarts-metrics
      --collector.processes
      --collector.tcpstat
      --collector.filesystem.mount-points-exclude=^/(dev|proc|run|sys|var/lib/docker/.+)($|/)
      --collector.filesystem.fs-types-exclude=^(autofs|proc|sysfs|tmpfs|overlay)$
      --collector.netdev.device-exclude=^(veth.*|docker.*)$
      --collector.netclass.ignored-devices=^(veth.*|docker.*)$
      --collector.diskstats.device-exclude=^(ram|loop|fd)\\d+$
      --collector.stat.softirq
      --collector.ntp.server 127.0.0.1`;
  const [bin, ...args] = execStart.split(/\s+/);
  expect(args.length).toBeGreaterThan(20);
  const agent = await startAgent({ roles: ["node"], ports: { node: port }, fromArgs: true, bin: join(links, bin!), noWait: true, args });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/-/ready`);
    const body = await fetch(`${base}/node/metrics`).then((r) => r.text());
    expect(body).toContain("node_load1 ");
    expect(body).toContain('node_role_info{role="db"} 1\n');
    expect(body).toMatch(/^node_tcp_connection_states\{state="listen"\} \S+$/m);
    expect(body).toMatch(/^node_softirqs_total\{vector="net_rx"\} \S+$/m);
    for (const c of ["mountstats", "systemd", "processes", "tcpstat", "textfile"]) expect(body).toContain(`node_scrape_collector_success{collector="${c}"}`);
    for (const c of ["wifi", "infiniband"]) expect(body).not.toContain(`collector="${c}"`);
    expect(body).not.toContain("process_cpu_seconds_total");
    expect(body).not.toContain("agent_build_info");
    expect(await fetch(`${base}/metrics`).then((r) => r.status)).toBe(404);
    // The page's Metrics link follows the telemetry path.
    expect(await fetch(`${base}/`).then((r) => r.text())).toContain('href="/node/metrics"');
    // Every flag is one of the agent's with its meaning: nothing is reported as ignored.
    expect(agent.output()).not.toContain("ignored");
  } finally {
    await agent.stop();
  }
});

test("a Cluster Exporter unit's ExecStart: its single-dash Go flags", async () => {
  const port = await freePort();
  for (const name of ["cluster-exporter", "cluster_exporter"]) {
    const agent = await startAgent({
      roles: ["cluster"],
      ports: { cluster: port },
      fromArgs: true,
      bin: join(links, name),
      args: ["-promserver", "http://127.0.0.1:9", `-port=${port}`, "-timeout", "3", "-timerange", "2m", "-log", "INFO", "--cluster.squeue-path=/bin/true"],
    });
    try {
      expect(agent.output()).toContain("roles=cluster");
      expect(agent.output()).toContain("prometheus=http://127.0.0.1:9");
      // The upstream is down: the scrape says so instead of failing.
      expect(await fetch(`${agent.urls.cluster}/metrics`).then((r) => r.text())).toContain("cluster_exporter_scrape_ok 0");
    } finally {
      await agent.stop();
    }
  }
});

test("bad command lines through a link exit 2 with the reason", async () => {
  const log = await runLink("cluster-exporter", ["-promserver=http://p:9090", "-log", "LOUD"]);
  expect(log.code).toBe(2);
  expect(log.stderr).toContain('-log: "LOUD" is not one of ERROR, INFO, DEBUG, TRACE');
  expect(log.stderr).toContain("-promserver URL");
  const missing = await runLink("cluster-exporter", ["-port", "19999"]);
  expect(missing.code).toBe(2);
  expect(missing.stderr).toContain("--cluster.prometheus-url");
  const two = await runLink("pushgateway", ["--roles=node,push", "--web.listen-address=127.0.0.1:0"]);
  expect(two.code).toBe(2);
  expect(two.stderr).toContain("--web.listen-address: 2 roles run (node, push); give each its address with --node.listen-address, --push.listen-address");
  // The link's role is only the default: roles from a config file win over it too.
  await Bun.write(join(links, "two-roles.yml"), "roles: [node, push]\n");
  const fromFile = await runLink("pushgateway", ["--config.file=two-roles.yml", "--web.listen-address=127.0.0.1:0"]);
  expect(fromFile.code).toBe(2);
  expect(fromFile.stderr).toContain("--web.listen-address: 2 roles run (node, push)");
  const socket = await runLink("pushgateway", ["--web.systemd-socket"]);
  expect(socket.code).toBe(2);
  expect(socket.stderr).toContain("--web.systemd-socket: no socket was passed in (LISTEN_FDS is not set)");
  const version = await runLink("cluster-exporter", ["-version"]);
  expect(version.code).toBe(0);
  expect(version.stdout).toMatch(/^agent \S+ \(revision/);
});

test("--web.systemd-socket serves on the socket systemd passes in (systemd-socket-activate)", async () => {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "pg-activated-"));
  // systemd-socket-activate binds the address, sets LISTEN_FDS and LISTEN_PID, and execs the link on the first connection.
  const proc = Bun.spawn(["systemd-socket-activate", "-l", `127.0.0.1:${port}`, join(links, "pushgateway"), "--web.systemd-socket", `--storage.path=${dir}`], {
    stdout: "pipe",
    stderr: "pipe",
  });
  const output = Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]).then((parts) => parts.join(""));
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${base}/-/ready`);
    expect(await fetch(`${base}/metrics/job/activated`, { method: "PUT", body: "activated 1\n" }).then((r) => r.status)).toBe(200);
    expect(await fetch(`${base}/metrics`).then((r) => r.text())).toContain('activated{instance="",job="activated"} 1');
    // Connections one after another, each through the relay.
    for (let i = 0; i < 20; i++) expect(await fetch(`${base}/-/healthy`, { headers: { Connection: "close" } }).then((r) => r.status)).toBe(200);
  } finally {
    proc.kill("SIGTERM");
    expect(await proc.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }
  expect(await output).toContain(`address=127.0.0.1:${port}`);
});
