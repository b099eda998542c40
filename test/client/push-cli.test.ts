/** `agent push`, the compiled binary, against the real Pushgateway and our push role, and failing stores. */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { readdirSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { freePort, runAgent } from "../harness/index.ts";
import { samplesOf, startPushgateway, statusServer, STORES, tempDir, valueOf, type Store } from "./support.ts";

const HOST = `host="${hostname()}"`;

for (const [name, start] of STORES) {
  describe(`agent push against ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await start();
    });
    afterAll(() => store?.stop());
    const push = (args: string[], stdin?: string) => runAgent(["push", "--gateway", store.url, ...args], { stdin });

    test("exposition text on stdin with --label, PUT by default", async () => {
      const r = await push(["--job", "backup", "--label", "host=db1"], "# HELP backup_bytes Bytes.\n# TYPE backup_bytes gauge\nbackup_bytes 12345\n");
      expect(r).toMatchObject({ code: 0, stderr: "", stdout: "" });
      const text = await store.scrape();
      expect(valueOf(text, "backup_bytes", 'job="backup"', 'host="db1"')).toBe(12345);
      expect(samplesOf(text, "backup_bytes")).toHaveLength(1);
    });

    test("name=value arguments: _total is a counter, --method post keeps the group's other metrics, put replaces", async () => {
      expect((await push(["--job", "etl", "--method", "post", "rows_total=5000", "duration_seconds=12.5"])).code).toBe(0);
      expect((await push(["--job", "etl", "--method", "post", "files=3"])).code).toBe(0);
      let text = await store.scrape();
      expect(valueOf(text, "rows_total", 'job="etl"', HOST)).toBe(5000);
      expect(valueOf(text, "duration_seconds", 'job="etl"')).toBe(12.5);
      expect(valueOf(text, "files", 'job="etl"')).toBe(3);
      expect(text).toContain("# TYPE rows_total counter");
      expect((await push(["--job", "etl", "--method", "put", "files=4"])).code).toBe(0);
      text = await store.scrape();
      expect(valueOf(text, "rows_total", 'job="etl"')).toBeUndefined();
      expect(valueOf(text, "files", 'job="etl"')).toBe(4);
    });

    test("--prefix, --no-standard-labels, label values with / and empty ones", async () => {
      const r = await push(["--job", "sync", "--prefix", "rsync", "--no-standard-labels", "--label", "dir=/srv/data", "--label", "shard=", "bytes=10"]);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      const line = samplesOf(await store.scrape(), "rsync_bytes").find((l) => l.includes('job="sync"'));
      expect(line).toContain('dir="/srv/data"');
      expect(line).toContain('shard=""');
      expect(line).not.toContain("host=");
    });

    test("standard labels from the scheduler's environment", async () => {
      const r = await runAgent(["push", "--gateway", store.url, "--job", "slurm_step", "v=1"], {
        env: { SLURM_JOB_ID: "4242", CI_PIPELINE_ID: "777" },
      });
      expect(r.code).toBe(0);
      expect(valueOf(await store.scrape(), "v", 'job="slurm_step"', 'slurm_job_id="4242"', 'ci_pipeline_id="777"', HOST)).toBe(1);
    });

    test("a --timeout longer than a timer can hold (25d) waits as long as one can, not 1 ms", async () => {
      const r = await push(["--job", "patient", "--timeout", "25d", "v=7"]);
      expect(r).toMatchObject({ code: 0, stderr: "" });
      expect(valueOf(await store.scrape(), "v", 'job="patient"')).toBe(7);
    });

    test("--delete removes the group", async () => {
      await push(["--job", "gone", "--label", "n=1", "x=1"]);
      await push(["--job", "gone", "--label", "n=2", "y=1"]);
      expect((await push(["--job", "gone", "--label", "n=1", "--delete"])).code).toBe(0);
      const text = await store.scrape();
      expect(valueOf(text, "x", 'job="gone"')).toBeUndefined();
      expect(valueOf(text, "y", 'job="gone"', 'n="2"')).toBe(1);
    });
  });
}

describe("agent push when the store fails: one warning, exit 0 (--strict: 1)", () => {
  test("store down", async () => {
    const r = await runAgent(["push", "--gateway", `http://127.0.0.1:${await freePort()}`, "--job", "j", "--retries", "1", "v=1"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^agent push: warning: PUT .* failed after 2 attempt\(s\): cannot reach/);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    const strict = await runAgent(["push", "--strict", "--gateway", `http://127.0.0.1:${await freePort()}`, "--job", "j", "--retries", "0", "v=1"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toMatch(/^agent push: error: /);
  });

  test("slow store: gives up at --timeout", async () => {
    const slow = statusServer(200, 5000);
    try {
      const started = performance.now();
      const r = await runAgent(["push", "--gateway", slow.url, "--job", "j", "--timeout", "500ms", "v=1"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("no answer");
      // Generous: the store answers after 5 s, the timeout is 0.5 s, process start-up included.
      expect(performance.now() - started).toBeLessThan(4000);
    } finally {
      slow.stop();
    }
  });

  test("500s: retried --retries times, then one warning", async () => {
    const broken = statusServer(500);
    try {
      const r = await runAgent(["push", "--gateway", broken.url, "--job", "j", "--retries", "2", "v=1"]);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain("HTTP 500");
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(broken.requests()).toBe(3);
    } finally {
      broken.stop();
    }
  });
});

test("--bearer-token-file sends the token as a Bearer Authorization header", async () => {
  const secrets = tempDir("token-");
  const seen: Array<string | null> = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      seen.push(req.headers.get("authorization"));
      return new Response("", { status: 200 });
    },
  });
  try {
    const tokenFile = join(secrets.path, "token");
    await Bun.write(tokenFile, "s3cr3t-token\n");
    const r = await runAgent(["push", "--gateway", `http://127.0.0.1:${server.port}`, "--job", "j", "--bearer-token-file", tokenFile, "v=1"]);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(seen).toEqual(["Bearer s3cr3t-token"]);
  } finally {
    server.stop(true);
    secrets.remove();
  }
});

describe("agent push spool", () => {
  test("a push the store missed waits in --spool-dir; --flush delivers it (newest per group)", async () => {
    const spool = tempDir("spool-");
    const port = await freePort();
    const gateway = `http://127.0.0.1:${port}`;
    const spoolArgs = ["--gateway", gateway, "--spool-dir", spool.path, "--retries", "0"];
    let store: Store | undefined;
    try {
      expect((await runAgent(["push", ...spoolArgs, "--job", "nightly", "v=1"])).code).toBe(0);
      const second = await runAgent(["push", ...spoolArgs, "--job", "nightly", "v=2"]);
      expect(second.stderr).toContain(`kept in spool ${spool.path}`);
      expect((await runAgent(["push", ...spoolArgs, "--job", "weekly", "--method", "post", "w=7"])).code).toBe(0);
      expect(readdirSync(spool.path)).toHaveLength(2);

      const down = await runAgent(["push", ...spoolArgs, "--flush"]);
      expect(down.code).toBe(0);
      expect(down.stdout).toBe("delivered 0 spooled push(es), 2 left\n");

      store = await startPushgateway({ port });
      const flushed = await runAgent(["push", ...spoolArgs, "--flush"]);
      expect(flushed).toMatchObject({ code: 0, stdout: "delivered 2 spooled push(es), 0 left\n", stderr: "" });
      const text = await store.scrape();
      expect(valueOf(text, "v", 'job="nightly"')).toBe(2);
      expect(valueOf(text, "w", 'job="weekly"')).toBe(7);
      expect(readdirSync(spool.path)).toEqual([]);
    } finally {
      await store?.stop();
      spool.remove();
    }
  });

  test("the next successful push delivers what was spooled", async () => {
    const spool = tempDir("spool-");
    const port = await freePort();
    const spoolArgs = ["--gateway", `http://127.0.0.1:${port}`, "--spool-dir", spool.path, "--retries", "0"];
    let store: Store | undefined;
    try {
      await runAgent(["push", ...spoolArgs, "--job", "missed", "m=1"]);
      store = await startPushgateway({ port });
      expect((await runAgent(["push", ...spoolArgs, "--job", "later", "l=1"])).code).toBe(0);
      const text = await store.scrape();
      expect(valueOf(text, "m", 'job="missed"')).toBe(1);
      expect(valueOf(text, "l", 'job="later"')).toBe(1);
      expect(readdirSync(join(spool.path))).toEqual([]);
    } finally {
      await store?.stop();
      spool.remove();
    }
  });
});

describe("agent push: a bad argument exits 2 with usage", () => {
  const gw = ["--gateway", "http://127.0.0.1:9"];
  const cases: Array<[string, string[], string | undefined, RegExp]> = [
    ["unknown flag", [...gw, "--job", "j", "--nope", "v=1"], undefined, /unknown flag --nope/],
    ["no --gateway", ["--job", "j", "v=1"], undefined, /--gateway is required/],
    ["not a URL", ["--gateway", "gw:9091", "--job", "j", "v=1"], undefined, /not an http/],
    ["no --job", [...gw, "v=1"], undefined, /--job is required/],
    ["not name=value", [...gw, "--job", "j", "v"], undefined, /not name=value/],
    ["not a number", [...gw, "--job", "j", "v=abc"], undefined, /not a number/],
    ["bad metric name", [...gw, "--job", "j", "1v=1"], undefined, /valid metric name/],
    ["bad --method", [...gw, "--job", "j", "--method", "get", "v=1"], undefined, /--method/],
    ["bad --timeout", [...gw, "--job", "j", "--timeout", "soon", "v=1"], undefined, /--timeout/],
    ["bad --label", [...gw, "--job", "j", "--label", "novalue", "v=1"], undefined, /--label/],
    ["--delete with metrics", [...gw, "--job", "j", "--delete", "v=1"], undefined, /--delete takes no metrics/],
    ["invalid stdin", [...gw, "--job", "j"], "this is { not metrics\n", /stdin: text format parsing error/],
    ["empty stdin", [...gw, "--job", "j"], "", /stdin was empty/],
    ["--flush without --spool-dir", [...gw, "--flush"], undefined, /--flush needs --spool-dir/],
    ["--cert-file without --key-file", [...gw, "--job", "j", "--cert-file", "/x", "v=1"], undefined, /go together/],
  ];
  for (const [what, args, stdin, message] of cases) {
    test(what, async () => {
      const r = await runAgent(["push", ...args], { stdin });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).toContain("Usage: agent push");
    });
  }

  test("--help is usage on stdout, exit 0", async () => {
    const r = await runAgent(["push", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Usage: agent push");
    expect(r.stdout).toContain("--ca-file");
  });
});
