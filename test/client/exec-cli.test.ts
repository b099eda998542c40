/** `agent exec`, the compiled binary: exit codes, stdio, signals, resource figures, and what it pushes. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { agentBinary, freePort, runAgent } from "../harness/index.ts";
import { statusServer, STORES, valueOf, type Store } from "./support.ts";

for (const [name, start] of STORES) {
  describe(`agent exec against ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await start();
    });
    afterAll(() => store?.stop());
    const exec = (job: string, command: string[], stdin?: string) =>
      runAgent(["exec", "--gateway", store.url, "--job", job, "--label", "team=ml", "--", ...command], { stdin });

    test("exit 0 then exit 3: own exit codes, and the last success kept across the failed run", async () => {
      const ok = await exec("nightly", ["true"]);
      expect(ok).toMatchObject({ code: 0, stderr: "", stdout: "" });
      let text = await store.scrape();
      const sel = ['job="nightly"', 'team="ml"'];
      expect(valueOf(text, "job_exit_code", ...sel)).toBe(0);
      expect(valueOf(text, "job_success", ...sel)).toBe(1);
      const lastSuccess = valueOf(text, "job_last_success_timestamp_seconds", ...sel)!;
      expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(60);
      expect(valueOf(text, "job_last_failure_timestamp_seconds", ...sel)).toBeUndefined();
      expect(valueOf(text, "job_duration_seconds", ...sel)).toBeGreaterThanOrEqual(0);
      expect(text).toContain("# TYPE job_cpu_seconds_total counter");

      const failed = await exec("nightly", ["sh", "-c", "exit 3"]);
      expect(failed.code).toBe(3);
      text = await store.scrape();
      expect(valueOf(text, "job_exit_code", ...sel)).toBe(3);
      expect(valueOf(text, "job_success", ...sel)).toBe(0);
      expect(valueOf(text, "job_last_success_timestamp_seconds", ...sel)).toBe(lastSuccess);
      expect(valueOf(text, "job_last_failure_timestamp_seconds", ...sel)).toBeGreaterThanOrEqual(lastSuccess);
    });

    test("killed by SIGTERM: exit 143 and job_exit_code 143", async () => {
      const r = await exec("killed", ["sh", "-c", "kill -TERM $$"]);
      expect(r.code).toBe(143);
      expect(valueOf(await store.scrape(), "job_exit_code", 'job="killed"')).toBe(143);
    });

    test("CPU and RSS of the command's whole tree, for a child burning ~1 s of CPU and touching 256 MiB", async () => {
      // A grandchild (sh -> bun) does the work, so the figures must include waited-for descendants.
      const burn =
        "const mem = new Uint8Array(256 * 1048576); mem.fill(1);" +
        // getrusage is a system call: look at the clock rarely, so the burn is user time, not kernel time.
        "let x = 0; while (process.cpuUsage().user < 1_000_000) { for (let i = 0; i < 1e6; i++) x += i; }" +
        "if (mem[12345] !== 1 || x < 0) process.exit(9);";
      const r = await exec("burner", ["sh", "-c", `"${process.execPath}" -e '${burn}'; exit 0`]);
      expect(r.code).toBe(0);
      const text = await store.scrape();
      const cpu = valueOf(text, "job_cpu_seconds_total", 'job="burner"')!;
      const rss = valueOf(text, "job_max_rss_bytes", 'job="burner"')!;
      expect(cpu).toBeGreaterThanOrEqual(1.0);
      expect(cpu).toBeLessThan(4.0);
      expect(rss).toBeGreaterThanOrEqual(256 * 1048576);
      expect(rss).toBeLessThan(256 * 1048576 + 300 * 1048576);
    }, 30000);

    test("RSS of a command smaller than agent itself is the command's, not agent's", async () => {
      const r = await exec("small", ["sh", "-c", "sleep 0.5"]);
      expect(r.code).toBe(0);
      const rss = valueOf(await store.scrape(), "job_max_rss_bytes", 'job="small"')!;
      expect(rss).toBeGreaterThan(0);
      expect(rss).toBeLessThan(20 * 1048576);
    });
  });
}

describe("agent exec runs the command as if run directly", () => {
  test("stdin, stdout and stderr are passed through", async () => {
    const r = await runAgent(["exec", "--gateway", `http://127.0.0.1:${await freePort()}`, "--job", "io", "--retries", "0", "--", "sh", "-c", 'read x; echo "got $x"; echo "to stderr" >&2'], {
      stdin: "hello\n",
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("got hello\n");
    expect(r.stderr.startsWith("to stderr\n")).toBe(true);
  });

  test("signals sent to agent exec reach the command, whose own exit code comes back", async () => {
    const proc = Bun.spawn(
      [agentBinary(), "exec", "--gateway", `http://127.0.0.1:${await freePort()}`, "--job", "sig", "--retries", "0", "--",
        "sh", "-c", 'trap "echo got-TERM; exit 7" TERM; trap "echo got-USR1" USR1; echo ready; while :; do sleep 0.05; done'],
      { stdout: "pipe", stderr: "pipe" },
    );
    const reader = proc.stdout.getReader();
    let out = "";
    while (!out.includes("ready\n")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    proc.kill("SIGUSR1");
    while (!out.includes("got-USR1")) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    proc.kill("SIGTERM");
    const code = await proc.exited;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      out += new TextDecoder().decode(value);
    }
    expect(out).toContain("got-USR1\n");
    expect(out).toContain("got-TERM\n");
    expect(code).toBe(7);
   }, 20000);

  test("the store being down changes nothing: exit 3 stays 3, one warning", async () => {
    const r = await runAgent(["exec", "--gateway", `http://127.0.0.1:${await freePort()}`, "--job", "down", "--retries", "0", "--", "sh", "-c", "exit 3"]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^agent exec: warning: POST .* failed/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });

  test("a slow store: the command's exit code stands, the push gives up at --timeout", async () => {
    const slow = statusServer(200, 5000);
    try {
      const started = performance.now();
      const r = await runAgent(["exec", "--gateway", slow.url, "--job", "slow", "--timeout", "500ms", "--", "sh", "-c", "exit 3"]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain("no answer");
      // Generous: 0.5 s of push budget against a store that answers after 5 s.
      expect(performance.now() - started).toBeLessThan(4000);
    } finally {
      slow.stop();
    }
  });

  test("--help is usage on stdout, exit 0", async () => {
    const r = await runAgent(["exec", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: agent exec");
    expect(r.stdout).toContain("job_max_rss_bytes");
  });

  test("--strict fails a successful command whose push failed, never hides a failing one", async () => {
    const gw = `http://127.0.0.1:${await freePort()}`;
    expect((await runAgent(["exec", "--strict", "--gateway", gw, "--job", "s", "--retries", "0", "--", "true"])).code).toBe(1);
    expect((await runAgent(["exec", "--strict", "--gateway", gw, "--job", "s", "--retries", "0", "--", "sh", "-c", "exit 5"])).code).toBe(5);
  });

  test("a command that cannot run: 127 when missing, 126 when not executable", async () => {
    const gw = `http://127.0.0.1:${await freePort()}`;
    const missing = await runAgent(["exec", "--gateway", gw, "--job", "m", "--retries", "0", "--", "/nonexistent/command"]);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain("cannot run /nonexistent/command");
    expect((await runAgent(["exec", "--gateway", gw, "--job", "m", "--retries", "0", "--", "/etc/hostname"])).code).toBe(126);
  });

  test("the command may follow the flags without --", async () => {
    const r = await runAgent(["exec", "--gateway", `http://127.0.0.1:${await freePort()}`, "--job", "nodash", "--retries", "0", "sh", "-c", "exit 4"]);
    expect(r.code).toBe(4);
  });
});

describe("agent exec: flags that cannot make a push still run the command, with one warning", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["a gateway that is no URL", ["--gateway", "gw:9091", "--job", "j"], /--gateway: "gw:9091" is not an http/],
    ["no --gateway", ["--job", "j"], /--gateway is required/],
    ["no --job", ["--gateway", "http://127.0.0.1:9"], /--job is required/],
    ["a mistyped flag before --", ["--gatway", "http://127.0.0.1:9", "--job", "j"], /unknown flag --gatway/],
    ["an unreadable password file", ["--gateway", "http://127.0.0.1:9", "--job", "j", "--username", "u", "--password-file", "/nonexistent"], /password-file/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const r = await runAgent(["exec", ...args, "--", "sh", "-c", "echo ran; exit 3"]);
      expect(r.stdout).toBe("ran\n");
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^agent exec: warning: not pushing: /);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
    });
  }
});

describe("agent exec: a bad argument exits 2 with usage, running nothing", () => {
  const cases: Array<[string, string[], RegExp]> = [
    ["no command", ["--gateway", "http://127.0.0.1:9", "--job", "j"], /no command given/],
    // Without --, the unknown flag may be where the command starts: nothing is guessed.
    ["an unknown flag and no --", ["--gateway", "http://127.0.0.1:9", "--job", "j", "--bogus", "sh", "-c", "echo ran"], /unknown flag --bogus/],
    ["--strict with no URL", ["--strict", "--gateway", "gw:9091", "--job", "j", "--", "sh", "-c", "echo ran"], /not an http/],
    ["--strict with an unknown flag", ["--strict", "--bogus", "--", "sh", "-c", "echo ran"], /unknown flag --bogus/],
  ];
  for (const [what, args, message] of cases) {
    test(what, async () => {
      const r = await runAgent(["exec", ...args]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("Usage: agent exec");
    });
  }
});
