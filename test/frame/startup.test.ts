// The frame as a user meets it: flags, exit codes, the per-role endpoints, and a clean stop.
import { afterAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync } from "node:fs";
import { freePort, runAgent, startAgent, type RunningAgent } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

describe("command line", () => {
  test("--version names version, revision and Bun", async () => {
    const r = await runAgent(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^agent \S+ \(revision \S+, bun \d+\.\d+\.\d+/);
  });

  test("`agent serve` is the same command as `agent`", async () => {
    const r = await runAgent(["serve", "--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe((await runAgent(["--version"])).stdout);
    expect((await runAgent(["serve", "--bogus"])).code).toBe(2);
  });

  test("--help lists every flag grouped by role with defaults", async () => {
    const r = await runAgent(["--help"]);
    expect(r.code).toBe(0);
    for (const want of ["--roles=", "--storage.path=", "--node.listen-address=\":9100\"", "--push.listen-address=\":9091\"", "--cluster.listen-address=\":9846\"", "node role", "push role", "cluster role"]) {
      expect(r.stdout).toContain(want);
    }
  });

  test.each([
    [["--bogus"], "--bogus"],
    [["--roles", "node,nope"], "nope"],
    [["--node.listen-address", "nowhere"], "--node.listen-address"],
    [["--roles", "node,push", "--push.listen-address=:9100"], "--push.listen-address"],
    [["--config.file", "/nonexistent/agent.yml"], "--config.file"],
    [["--log.level", "loud"], "--log.level"],
    // A role's own validation runs before any role starts: no "role started" line precedes the error.
    [["--roles", "node,cluster", "--node.listen-address=127.0.0.1:0", "--cluster.listen-address=127.0.0.1:0"], "--cluster.prometheus-url"],
    [["--web.config.file", "/nonexistent/web.yml"], "--web.config.file"],
  ])("bad input %p exits 2 naming %s", async (args, culprit) => {
    const r = await runAgent(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain(culprit as string);
  });
});

describe("running roles", () => {
  let agent: RunningAgent;
  afterAll(async () => {
    await agent?.stop();
  });

  test("each role answers health, readiness, landing page and /metrics with process metrics", async () => {
    agent = await startAgent({ roles: ["node", "push"] });
    for (const role of ["node", "push"]) {
      const base = agent.urls[role]!;
      expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
      expect((await fetch(`${base}/-/ready`)).status).toBe(200);
      const landing = await (await fetch(`${base}/`)).text();
      // The frame's landing page or the role's own page: either names the role in its title and links /metrics.
      expect(landing).toMatch(new RegExp(`<title>[^<]*\\b${role}\\b[^<]*</title>`));
      expect(landing).toContain('href="/metrics"');
      const res = await fetch(`${base}/metrics`);
      expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const text = await res.text();
      for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_virtual_memory_bytes", "process_open_fds", "process_max_fds", "process_start_time_seconds"]) {
        expect(text).toMatch(new RegExp(`^${name} [0-9.e+]+$`, "m"));
      }
      expect(text).toMatch(/^agent_build_info\{bun_version="[^"]+",revision="[^"]+",roles="node,push",version="[^"]+"\} 1$/m);
    }
  });

  test("start-up logs one line per role with its address, and where push keeps its data", () => {
    const lines = agent.output().split("\n").filter((l) => l.includes('msg="role started"'));
    expect(lines).toHaveLength(2);
    expect(lines.find((l) => l.includes("role=push"))).toContain(`data=${agent.dataDir}/push`);
    expect(lines.find((l) => l.includes("role=node"))).toContain(`address=127.0.0.1:${agent.ports.node}`);
  });

  test("start-up says what runs: one line with version, revision and roles, before the roles start", () => {
    const lines = agent.output().split("\n");
    const first = lines.findIndex((l) => l.includes('msg="starting agent"'));
    expect(lines.filter((l) => l.includes('msg="starting agent"'))).toHaveLength(1);
    expect(lines[first]).toMatch(/version=\S+ revision=\S+ bun=\S+ roles=node,push$/);
    expect(first).toBeLessThan(lines.findIndex((l) => l.includes('msg="role started"')));
  });

  test("HEAD answers like GET without a body, on / and /metrics of each role", async () => {
    for (const role of ["node", "push"]) {
      for (const path of ["/", "/metrics", "/-/healthy"]) {
        const get = await fetch(agent.urls[role] + path);
        await get.arrayBuffer();
        const head = await fetch(agent.urls[role] + path, { method: "HEAD" });
        expect([role, path, head.status, head.headers.get("content-type")]).toEqual([role, path, get.status, get.headers.get("content-type")]);
        expect((await head.arrayBuffer()).byteLength).toBe(0);
      }
    }
  });

  test("SIGTERM stops cleanly with exit 0 and a stop line", async () => {
    const code = await agent.stop("SIGTERM");
    expect(code).toBe(0);
    expect(agent.output()).toContain("msg=stopping");
  });
});

test("a port already in use exits 1 naming the address", async () => {
  const port = await freePort();
  const blocker = Bun.serve({ hostname: "127.0.0.1", port, fetch: () => new Response("") });
  try {
    const r = await runAgent(["--roles", "node", `--node.listen-address=127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`127.0.0.1:${port}`);
    expect(r.stderr).toContain("address already in use");
  } finally {
    blocker.stop(true);
  }
});

const hasIpv6Loopback = (() => {
  try {
    return readFileSync("/proc/net/if_inet6", "latin1").includes("00000000000000000000000000000001");
  } catch {
    return false;
  }
})();

describe("listen addresses", () => {
  test("`:PORT` listens on every interface, IPv4 and IPv6 alike, as node_exporter's `:9100` does", async () => {
    const port = await freePort();
    const agent = await startAgent({ roles: ["node"], ports: { node: port }, args: [`--node.listen-address=:${port}`] });
    try {
      expect((await fetch(`http://127.0.0.1:${port}/-/healthy`)).status).toBe(200);
      if (hasIpv6Loopback) expect((await fetch(`http://[::1]:${port}/-/healthy`)).status).toBe(200);
      expect(agent.output()).toContain(`address=:${port} url=http://127.0.0.1:${port}`);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });

  test.skipIf(!hasIpv6Loopback)("an IPv6 address in brackets is served and logged as a usable URL", async () => {
    const port = await freePort();
    const agent = await startAgent({ roles: ["node"], args: [`--node.listen-address=[::1]:${port}`], noWait: true });
    try {
      const url = `http://[::1]:${port}`;
      let status = 0;
      for (let i = 0; i < 200 && status !== 200; i++) {
        status = await fetch(`${url}/-/ready`).then((r) => r.status, () => 0);
        if (status !== 200) await Bun.sleep(50);
      }
      expect(status).toBe(200);
      expect(agent.output()).toContain(`url=${url}`);
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
});
