import { describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { supervisord } from "./supervisord.ts";
import { collectText, expectGolden, FIXTURES, instantiate, scrapeText } from "../testing/golden.ts";

/** A response recorded from supervisord 4.2.5 (Debian) with a running, an exited and a never-started program. */
const RECORDED = readFileSync(join(FIXTURES, "supervisord", "getAllProcessInfo.xml"), "utf8");

function standIn(answer: (body: string) => Response | Promise<Response>) {
  return Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: async (req) => answer(await req.text()) });
}

describe("supervisord collector", () => {
  test("matches the golden file for a recorded getAllProcessInfo answer", async () => {
    let asked = "";
    const server = standIn((body) => {
      asked = body;
      return new Response(RECORDED, { headers: { "Content-Type": "text/xml" } });
    });
    try {
      const text = await collectText(supervisord, { config: { url: `http://127.0.0.1:${server.port}/RPC2` } });
      expectGolden("supervisord", text);
      expect(asked).toContain("<methodName>supervisor.getAllProcessInfo</methodName>");
      expect(text).toMatch(/^node_supervisord_up\{group="web",name="sleeper"\} 1$/m);
      expect(text).toMatch(/^node_supervisord_state\{group="oneshot",name="oneshot"\} 100$/m);
      expect(text).toMatch(/^node_supervisord_exit_status\{group="oneshot",name="oneshot"\} 3$/m);
      expect(text).toMatch(/^node_supervisord_up\{group="idle",name="idle"\} 0$/m);
      // Only running processes have a start time.
      expect(text).not.toMatch(/^node_supervisord_start_time_seconds\{group="idle"/m);
      expect(text).toMatch(/^node_supervisord_start_time_seconds\{group="web",name="sleeper"\} 1\.796293096e\+09$/m);
    } finally {
      server.stop(true);
    }
  });

  test("a fault, an HTTP error, a body that is not XML-RPC or a closed port fail the collector with the reason", async () => {
    const fault = `<?xml version='1.0'?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member><member><name>faultString</name><value><string>UNKNOWN_METHOD</string></value></member></struct></value></fault></methodResponse>`;
    const answers = [
      [() => new Response(fault), /UNKNOWN_METHOD/],
      [() => new Response("Unauthorized", { status: 401 }), /HTTP 401/],
      [() => new Response("<html>not xml-rpc</html>"), /XML-RPC/],
    ] as const;
    for (const [answer, reason] of answers) {
      const server = standIn(answer);
      try {
        await expect(collectText(supervisord, { config: { url: `http://127.0.0.1:${server.port}/RPC2` } })).rejects.toThrow(reason);
      } finally {
        server.stop(true);
      }
    }
    const closed = standIn(() => new Response());
    const port = closed.port;
    closed.stop(true);
    await expect(collectText(supervisord, { config: { url: `http://127.0.0.1:${port}/RPC2` } })).rejects.toThrow(/unable to call supervisord/);
    await expect(collectText(supervisord, { config: { url: "ftp://x/RPC2" } })).rejects.toThrow(/scheme/);
  });

  test("a server that never answers is given up when the scrape's deadline aborts the collector", async () => {
    const server = standIn(() => new Promise<Response>(() => {}));
    const abort = new AbortController();
    try {
      const started = performance.now();
      const pending = scrapeText(instantiate(supervisord, { config: { url: `http://127.0.0.1:${server.port}/RPC2` } }), { signal: abort.signal });
      setTimeout(() => abort.abort(), 100);
      await expect(pending).rejects.toThrow(/unable to call supervisord/);
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      server.stop(true);
    }
  });

  test.skipIf(Bun.which("supervisord") === null)("asks a real supervisord over HTTP and over its unix socket", async () => {
    const dir = mkdtempSync("/tmp/supervisord-");
    const probe = standIn(() => new Response());
    const port = probe.port;
    probe.stop(true);
    const sock = join(dir, "supervisor.sock");
    writeFileSync(
      join(dir, "supervisord.conf"),
      [
        "[unix_http_server]", `file=${sock}`,
        "[inet_http_server]", `port=127.0.0.1:${port}`,
        "[supervisord]", "nodaemon=true", `logfile=${dir}/supervisord.log`, `pidfile=${dir}/supervisord.pid`, `childlogdir=${dir}`,
        "[rpcinterface:supervisor]", "supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface",
        "[program:sleeper]", "command=sleep 300", "startsecs=0",
        "[program:oneshot]", 'command=sh -c "exit 3"', "startsecs=0", "autorestart=false", "exitcodes=3",
        "[program:idle]", "command=sleep 300", "autostart=false",
      ].join("\n") + "\n",
    );
    const before = Math.floor(Date.now() / 1000);
    const proc = Bun.spawn(["supervisord", "-c", join(dir, "supervisord.conf")], { stdout: "ignore", stderr: "ignore" });
    try {
      // startsecs=0 still passes through STARTING (10) until supervisord's next tick; wait for RUNNING (20)
      const done = (t: string) => /node_supervisord_state\{group="oneshot",name="oneshot"\} 100/.test(t) && /node_supervisord_state\{group="sleeper",name="sleeper"\} 20/.test(t);
      let text = "";
      let lastError = "the socket never appeared";
      for (let i = 0; i < 200 && !done(text); i++) {
        await Bun.sleep(50);
        if (!existsSync(sock)) continue;
        text = await collectText(supervisord, { config: { url: `unix://${sock}` } }).catch((e: Error) => ((lastError = e.message), ""));
      }
      // Once seen in a full run: every scrape failed for 27 s. Say why, with supervisord's own log, if it happens again.
      if (text === "") {
        const log = existsSync(join(dir, "supervisord.log")) ? readFileSync(join(dir, "supervisord.log"), "utf8").slice(-2000) : "(no log)";
        throw new Error(`supervisord never answered: ${lastError} (exit ${proc.exitCode ?? "none yet"}); its log:\n${log}`);
      }
      expect(text).toMatch(/^node_supervisord_up\{group="sleeper",name="sleeper"\} 1$/m);
      expect(text).toMatch(/^node_supervisord_state\{group="sleeper",name="sleeper"\} 20$/m);
      expect(text).toMatch(/^node_supervisord_exit_status\{group="oneshot",name="oneshot"\} 3$/m);
      expect(text).toMatch(/^node_supervisord_state\{group="idle",name="idle"\} 0$/m);
      const start = Number(/^node_supervisord_start_time_seconds\{group="sleeper",name="sleeper"\} (\d(?:\.\d+)?e\+09)$/m.exec(text)![1]);
      expect(start).toBeGreaterThanOrEqual(before - 1);
      expect(start).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      const overHttp = await collectText(supervisord, { config: { url: `http://127.0.0.1:${port}/RPC2` } });
      expect(overHttp).toMatch(/^node_supervisord_up\{group="sleeper",name="sleeper"\} 1$/m);
      expect(overHttp).toMatch(/^node_supervisord_exit_status\{group="oneshot",name="oneshot"\} 3$/m);
      expect(overHttp).toMatch(/^node_supervisord_state\{group="idle",name="idle"\} 0$/m);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
