// --web.config.file for real: certificates made by openssl, a bcrypt hash, curl as the client, on every role.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { curl, makeTestPki, runAgent, startAgent, startPrometheus, type RunningAgent, type TestPki } from "../harness/index.ts";

// Each test starts real processes; bunfig's [test] timeout is not read by bun test 1.3.
setDefaultTimeout(60_000);

const ROLES = ["node", "push", "cluster"];
// The cluster role needs an upstream Prometheus to start; nothing here scrapes its data, so none listens there.
const CLUSTER_ARGS = ["--cluster.prometheus-url=http://127.0.0.1:9"];
const USER = "prometheus";
const PASSWORD = "correct horse";

let pki: TestPki;
let hash: string;

beforeAll(async () => {
  pki = makeTestPki();
  hash = await Bun.password.hash(PASSWORD, { algorithm: "bcrypt", cost: 10 });
});
afterAll(() => pki?.remove());

/** Writes a web config beside the certificates; the file names in it are relative, as users write them. */
function webConfig(name: string, yaml: string): string {
  const path = join(pki.dir, name);
  writeFileSync(path, yaml);
  return path;
}

/** The handshake as `openssl s_client` reports it; a server that asks for a client certificate shows its
 * "Requested Signature Algorithms". */
async function handshake(url: string): Promise<string> {
  const p = Bun.spawn(["openssl", "s_client", "-connect", new URL(url).host, "-CAfile", pki.caCert], { stdin: new Uint8Array(0), stdout: "pipe", stderr: "pipe" });
  const [out, err] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return out + err;
}

function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

function probeFor(opts: { auth?: boolean; clientCert?: boolean } = {}) {
  return {
    headers: opts.auth ? { Authorization: basic(USER, PASSWORD) } : undefined,
    tls: {
      ca: readFileSync(pki.caCert, "utf8"),
      ...(opts.clientCert ? { cert: readFileSync(pki.clientCert, "utf8"), key: readFileSync(pki.clientKey, "utf8") } : {}),
    },
  };
}

describe("TLS with basic auth on every role address", () => {
  let agent: RunningAgent;
  beforeAll(async () => {
    const file = webConfig(
      "web.yml",
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_users:\n  ${USER}: ${hash}\n`,
    );
    agent = await startAgent({ roles: ROLES, args: [`--web.config.file=${file}`, ...CLUSTER_ARGS], scheme: "https", probe: probeFor({ auth: true }) });
  });
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
  });

  test("curl trusting the CA, with the right credentials, gets every role's metrics and health", async () => {
    for (const role of ROLES) {
      const auth = ["--cacert", pki.caCert, "-u", `${USER}:${PASSWORD}`];
      const metrics = await curl(`${agent.urls[role]}/metrics`, auth);
      expect(metrics.status).toBe(200);
      expect(metrics.body).toContain("agent_build_info{");
      expect(metrics.body).toMatch(/^process_cpu_seconds_total /m);
      const healthy = await curl(`${agent.urls[role]}/-/healthy`, auth);
      expect(healthy.status).toBe(200);
    }
  });

  test("curl without the CA refuses the server certificate", async () => {
    for (const role of ROLES) {
      const r = await curl(`${agent.urls[role]}/-/healthy`, ["-u", `${USER}:${PASSWORD}`]);
      expect(r.exitCode).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
      expect(r.status).toBe(0);
    }
  });

  test("plain HTTP on a TLS address gets no page", async () => {
    const r = await curl(`${agent.urls.node!.replace("https:", "http:")}/metrics`, ["-u", `${USER}:${PASSWORD}`]);
    expect(r.body).not.toContain("process_cpu_seconds_total");
    expect(r.status === 0 || r.status === 400).toBe(true);
  });

  const wrong: Array<[string, string[]]> = [
    ["no credentials", []],
    ["a wrong password", ["-u", `${USER}:not the password`]],
    ["an unknown user", ["-u", `mallory:${PASSWORD}`]],
    ["a malformed header", ["-H", "Authorization: Basic !!!"]],
    ["a bearer token", ["-H", "Authorization: Bearer abc"]],
  ];
  test.each(wrong)("%s: 401 with WWW-Authenticate and nothing else, on every page of every role", async (_what, creds) => {
    for (const role of ROLES) {
      for (const path of ["/metrics", "/-/healthy", "/-/ready", "/", "/no-such-page"]) {
        const r = await curl(`${agent.urls[role]}${path}`, ["--cacert", pki.caCert, ...creds]);
        expect({ role, path, status: r.status }).toEqual({ role, path, status: 401 });
        expect(r.headers["www-authenticate"]).toMatch(/^Basic realm="[^"]+"$/);
        expect(r.body).not.toContain("process_");
        expect(r.body).not.toContain("agent_build_info");
        expect(r.body).not.toContain("href=");
      }
    }
  });

  test("a real Prometheus scrapes every role over TLS with basic auth, and a wrong password is a failed scrape", async () => {
    const targets = ROLES.map((r) => `127.0.0.1:${agent.ports[r]}`);
    const job = (name: string, password: string) => ({
      job_name: name,
      scheme: "https",
      tls_config: { ca_file: pki.caCert },
      basic_auth: { username: USER, password },
      static_configs: [{ targets }],
    });
    const prom = await startPrometheus({ scrapeConfigs: [job("right", PASSWORD), job("wrong", "guess")] });
    try {
      await prom.waitFor('up{job="right"} == 1', (r) => r.length === ROLES.length, 30000);
      await prom.waitFor('up{job="wrong"} == 0', (r) => r.length === ROLES.length, 30000);
      const info = await prom.waitFor('agent_build_info{job="right"}', (r) => r.length === ROLES.length);
      expect(info.map((s) => s.metric.instance).sort()).toEqual([...targets].sort());
      for (const t of (await prom.targets()).filter((x) => x.labels.job === "wrong")) expect(t.lastError).toContain("401");
    } finally {
      await prom.stop();
    }
  });

  test("without client_auth_type no client certificate is asked for", async () => {
    const out = await handshake(agent.urls.node!);
    expect(out).toContain("Verify return code: 0 (ok)");
    expect(out).not.toContain("Requested Signature Algorithms");
  });

  test("the default minimum version still admits TLS 1.2 clients", async () => {
    const r = await curl(`${agent.urls.node}/-/healthy`, ["--cacert", pki.caCert, "-u", `${USER}:${PASSWORD}`, "--tls-max", "1.2"]);
    expect(r.status).toBe(200);
  });
});

describe("client certificates: RequireAndVerifyClientCert", () => {
  let agent: RunningAgent;
  beforeAll(async () => {
    const file = webConfig(
      "web-mtls.yml",
      "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n",
    );
    agent = await startAgent({ roles: ["node", "push"], args: [`--web.config.file=${file}`], scheme: "https", probe: probeFor({ clientCert: true }) });
  });
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
  });

  test("a client certificate signed by the client CA is let in", async () => {
    for (const role of ["node", "push"]) {
      const r = await curl(`${agent.urls[role]}/metrics`, ["--cacert", pki.caCert, "--cert", pki.clientCert, "--key", pki.clientKey]);
      expect(r.status).toBe(200);
      expect(r.body).toContain("agent_build_info{");
    }
  });

  test("no client certificate, or one the CA did not sign, gets no response", async () => {
    for (const role of ["node", "push"]) {
      const none = await curl(`${agent.urls[role]}/metrics`, ["--cacert", pki.caCert]);
      expect(none.status).toBe(0);
      expect(none.exitCode).not.toBe(0);
      const stranger = await curl(`${agent.urls[role]}/metrics`, ["--cacert", pki.caCert, "--cert", pki.strangerCert, "--key", pki.strangerKey]);
      expect(stranger.status).toBe(0);
      expect(stranger.exitCode).not.toBe(0);
    }
  });
});

describe("client certificates: RequestClientCert", () => {
  let agent: RunningAgent;
  beforeAll(async () => {
    const file = webConfig("web-request.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequestClientCert\n");
    agent = await startAgent({ roles: ["node"], args: [`--web.config.file=${file}`], scheme: "https", probe: probeFor() });
  });
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
  });

  test("asks for a certificate but serves clients with any or none", async () => {
    expect(await handshake(agent.urls.node!)).toContain("Requested Signature Algorithms");
    for (const cert of [[], ["--cert", pki.clientCert, "--key", pki.clientKey], ["--cert", pki.strangerCert, "--key", pki.strangerKey]]) {
      const r = await curl(`${agent.urls.node}/-/healthy`, ["--cacert", pki.caCert, ...cert]);
      expect(r.status).toBe(200);
    }
  });
});

describe("min_version: TLS13", () => {
  let agent: RunningAgent;
  beforeAll(async () => {
    const file = webConfig("web-tls13.yml", "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n");
    agent = await startAgent({ roles: ["node"], args: [`--web.config.file=${file}`], scheme: "https", probe: probeFor() });
  });
  afterAll(async () => {
    expect(await agent?.stop()).toBe(0);
  });

  test("a TLS 1.3 client is served", async () => {
    const r = await curl(`${agent.urls.node}/-/healthy`, ["--cacert", pki.caCert, "--tlsv1.3"]);
    expect(r.status).toBe(200);
  });

  test("a client that stops at TLS 1.2 fails the handshake", async () => {
    const r = await curl(`${agent.urls.node}/-/healthy`, ["--cacert", pki.caCert, "--tls-max", "1.2"]);
    expect(r.exitCode).toBe(35); // CURLE_SSL_CONNECT_ERROR
    expect(r.status).toBe(0);
  });
});

describe("a bad web config stops start-up with exit 2 naming what is wrong", () => {
  const cases: Array<[string, () => string, string]> = [
    ["an unknown top-level key", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\nbasic_auth_user: {}\n", "basic_auth_user"],
    ["an unknown TLS key", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  ca_file: ca.crt\n", "tls_server_config.ca_file"],
    ["a missing certificate file", () => "tls_server_config:\n  cert_file: nowhere.crt\n  key_file: server.key\n", "nowhere.crt"],
    ["a key that is not the certificate's", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n", "key_file"],
    ["a certificate file that holds no certificate", () => "tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n", "cert_file"],
    ["a plain-text password instead of a bcrypt hash", () => `basic_auth_users:\n  ${USER}: ${PASSWORD}\n`, `basic_auth_users.${USER}`],
    ["an unknown client_auth_type", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: Sometimes\n", "client_auth_type"],
    ["a verifying client_auth_type without client_ca_file", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n", "client_ca_file"],
    ["a client_auth_type the server cannot enforce", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAnyClientCert\n  client_ca_file: ca.crt\n", "RequireAnyClientCert"],
    ["a TLS setting the server cannot apply", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384]\n", "tls_server_config.cipher_suites"],
    ["a min_version the server cannot speak", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS10\n", "tls_server_config.min_version TLS10"],
    ["an unknown min_version", () => "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: SSL3\n", "min_version"],
    ["a file that is not YAML", () => "tls_server_config: [\n", "--web.config.file"],
  ];
  test.each(cases)("%s", async (_what, yaml, culprit) => {
    const file = webConfig("bad-web.yml", yaml());
    const { code, stderr } = await runAgent(["--roles", "node", "--node.listen-address=127.0.0.1:0", `--web.config.file=${file}`]);
    expect(code).toBe(2);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toContain("--web.config.file");
    expect(stderr).toContain(culprit);
  });
});
