// Nothing a client sends may crash the agent: malformed HTTP on the wire and odd URLs on every role address.
import { afterAll, beforeAll, expect, setDefaultTimeout, test } from "bun:test";
import { connect } from "node:net";
import { startAgent, type RunningAgent } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

const ROLES = ["node", "push", "cluster"];
let agent: RunningAgent;

beforeAll(async () => {
  agent = await startAgent({ roles: ROLES, args: ["--cluster.prometheus-url=http://127.0.0.1:9"] });
});
afterAll(async () => {
  expect(await agent?.stop()).toBe(0);
});

/** Writes `bytes`, half-closes, and returns whatever comes back before the server closes (or 3 s pass). */
function raw(port: number, bytes: Uint8Array | string): Promise<string> {
  return new Promise((done) => {
    let got = "";
    const sock = connect(port, "127.0.0.1", () => sock.end(bytes));
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      done(got);
    };
    // A hard limit: a server that stops reading a huge request may leave the write, and so the close, pending.
    const timer = setTimeout(finish, 3000);
    sock.on("data", (d) => (got += d.toString("latin1")));
    sock.on("error", finish);
    sock.on("end", finish);
    sock.on("close", finish);
  });
}

const garbage: Array<[string, () => Uint8Array | string]> = [
  ["random bytes", () => crypto.getRandomValues(new Uint8Array(4096))],
  ["a TLS ClientHello on a plain port", () => new Uint8Array([0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03, ...new Uint8Array(64)])],
  ["the HTTP/2 preface", () => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"],
  ["a 1 MiB request line", () => `GET /${"a".repeat(1 << 20)} HTTP/1.1\r\nHost: x\r\n\r\n`],
  ["a 256 KiB header", () => `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${"b".repeat(256 << 10)}\r\n\r\n`],
  ["10000 headers", () => `GET /metrics HTTP/1.1\r\nHost: x\r\n${"X-H: 1\r\n".repeat(10000)}\r\n`],
  ["a NUL in the path", () => "GET /me\0trics HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["a bad percent escape", () => "GET /%ZZ%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["a body shorter than Content-Length", () => "POST /metrics/job/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nshort 1\n"],
  ["a bad chunk size", () => "POST /metrics/job/x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n"],
  ["Content-Length and chunked together", () => "POST /metrics/job/x HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /metrics HTTP/1.1\r\n\r\n"],
  ["a negative Content-Length", () => "POST /metrics/job/x HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n"],
  ["an unknown method", () => "BREW /metrics HTTP/1.1\r\nHost: x\r\n\r\n"],
  ["HTTP/0.9", () => "GET /metrics\r\n\r\n"],
];

test.each(garbage)("%s, sent to every role, leaves every role answering", async (_what, make) => {
  for (const role of ROLES) {
    const answer = await raw(agent.ports[role]!, make());
    // Whatever came back (if anything) is an HTTP error, never the metrics.
    expect(answer).not.toContain("process_cpu_seconds_total");
  }
  for (const role of ROLES) expect((await fetch(`${agent.urls[role]}/-/healthy`)).status).toBe(200);
  expect(agent.proc.exitCode).toBeNull();
});

test("methods no role implements get 501 with a message on every role", async () => {
  for (const role of ROLES) {
    for (const method of ["PATCH", "PROPFIND", "PURGE", "MKCOL", "LINK"]) {
      for (const path of ["/metrics", "/metrics/job/x", "/"]) {
        const r = await fetch(`${agent.urls[role]}${path}`, { method });
        expect({ role, method, path, status: r.status }).toEqual({ role, method, path, status: 501 });
        expect(await r.text()).toContain(`method ${method}`);
      }
    }
  }
  expect(agent.proc.exitCode).toBeNull();
});

test("odd URLs get an answer below 500 on every role", async () => {
  const paths = ["/metrics?x=%", "/metrics?%ZZ=1", "//", "/%2e%2e/%2e%2e/etc/passwd", "/-/healthy/..", "/metrics/", "/%00", "/" + "x/".repeat(2000), "/?" + "q=1&".repeat(5000)];
  for (const role of ROLES) {
    for (const path of paths) {
      const r = await fetch(`${agent.urls[role]}${path}`);
      expect({ role, path: path.slice(0, 40), status: r.status < 500 }).toEqual({ role, path: path.slice(0, 40), status: true });
      expect(await r.text()).not.toContain("root:x:0:0");
    }
  }
  expect(agent.proc.exitCode).toBeNull();
});

test("a thousand connections opened and dropped at once leave every role answering", async () => {
  const port = agent.ports.push!;
  await Promise.all(
    Array.from({ length: 1000 }, () =>
      new Promise<void>((done) => {
        const s = connect(port, "127.0.0.1", () => {
          s.write("GET /metrics HTTP/1.1\r\nHost: x\r\n");
          s.destroy();
          done();
        });
        s.on("error", () => done());
      }),
    ),
  );
  for (const role of ROLES) expect((await fetch(`${agent.urls[role]}/-/healthy`)).status).toBe(200);
  expect(agent.proc.exitCode).toBeNull();
});
