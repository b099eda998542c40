/**
 * A store behind a private CA, one that asks for client certificates, and one with basic auth: the
 * library and `agent push` against the real Pushgateway and our push role, each with the web config both
 * read. A failure never throws in the job and never changes `agent push`'s exit code (0).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PushClient } from "../../packages/push-client/src/index.ts";
import { runAgent } from "../harness/index.ts";
import { basicAuthWebConfig, makePki, STORES, tlsWebConfig, valueOf, type Pki, type Store } from "./support.ts";

let pki: Pki;
let secrets: string;
beforeAll(() => {
  pki = makePki();
  secrets = mkdtempSync(join(tmpdir(), "secrets-"));
});
afterAll(() => {
  pki?.remove();
  rmSync(secrets, { recursive: true, force: true });
});

function secretFile(name: string, text: string): string {
  const path = join(secrets, name);
  writeFileSync(path, text + "\n", { mode: 0o600 });
  return path;
}

const quiet = { onWarning: () => {}, retries: 0, timeoutSeconds: 3 };

for (const [name, start] of STORES) {
  describe(`private CA TLS, ${name}`, () => {
    let store: Store;
    beforeAll(async () => {
      store = await start({ webConfig: tlsWebConfig(pki), fetchInit: { tls: { ca: pki.ca } } });
    });
    afterAll(() => store?.stop());

    test("library: refused without the CA (a tls failure, not a throw), delivered with caFile", async () => {
      const without = await new PushClient({ gateway: store.url, job: "tls_lib", ...quiet }).push("tls_value 1\n");
      expect(without).toMatchObject({ ok: false, failure: "tls" });
      const withCa = await new PushClient({ gateway: store.url, job: "tls_lib", ...quiet, tls: { caFile: pki.caFile } }).push("tls_value 2\n");
      expect(withCa).toMatchObject({ ok: true });
      expect(valueOf(await store.scrape(), "tls_value", 'job="tls_lib"')).toBe(2);
    });

    test("agent push: without --ca-file one warning and exit 0, with it the value lands", async () => {
      const without = await runAgent(["push", "--gateway", store.url, "--job", "tls_cli", "--retries", "0", "tls_cli_value=1"]);
      expect(without.code).toBe(0);
      expect(without.stderr.trim().split("\n")).toHaveLength(1);
      expect(without.stderr).toMatch(/warning: .*TLS/);
      const strict = await runAgent(["push", "--gateway", store.url, "--job", "tls_cli", "--retries", "0", "--strict", "tls_cli_value=1"]);
      expect(strict.code).toBe(1);
      const withCa = await runAgent(["push", "--gateway", store.url, "--job", "tls_cli", "--ca-file", pki.caFile, "tls_cli_value=3"]);
      expect(withCa).toMatchObject({ code: 0, stderr: "" });
      expect(valueOf(await store.scrape(), "tls_cli_value", 'job="tls_cli"')).toBe(3);
    });

    test("--server-name: the certificate is checked against that name, not the URL's host", async () => {
      const args = ["push", "--gateway", store.url, "--job", "tls_sni", "--ca-file", pki.caFile, "--retries", "0"];
      const right = await runAgent([...args, "--server-name", "localhost", "sni_value=1"]);
      expect(right).toMatchObject({ code: 0, stderr: "" });
      const wrong = await runAgent([...args, "--server-name", "gw.example.org", "sni_value=2"]);
      expect(wrong.code).toBe(0);
      expect(wrong.stderr).toMatch(/warning: .*TLS/);
      expect(valueOf(await store.scrape(), "sni_value", 'job="tls_sni"')).toBe(1);
    });
  });

  describe(`client certificate required, ${name}`, () => {
    let store: Store;
    const clientTls = () => ({ ca: pki.ca, cert: Bun.file(pki.clientCert), key: Bun.file(pki.clientKey) });
    beforeAll(async () => {
      store = await start({
        webConfig: tlsWebConfig(pki, true),
        fetchInit: { tls: clientTls() } as RequestInit,
      });
    });
    afterAll(() => store?.stop());

    test("library and agent push: refused without a client certificate, delivered with one", async () => {
      const without = await new PushClient({ gateway: store.url, job: "mtls", ...quiet, tls: { caFile: pki.caFile } }).push("mtls_value 1\n");
      expect(without.ok).toBe(false);
      const lib = await new PushClient({
        gateway: store.url,
        job: "mtls",
        ...quiet,
        tls: { caFile: pki.caFile, certFile: pki.clientCert, keyFile: pki.clientKey },
      }).pushAdd("mtls_value 2\n");
      expect(lib.ok).toBe(true);
      const cli = await runAgent([
        "push", "--gateway", store.url, "--job", "mtls", "--method", "post",
        "--ca-file", pki.caFile, "--cert-file", pki.clientCert, "--key-file", pki.clientKey, "mtls_cli_value=5",
      ]);
      expect(cli).toMatchObject({ code: 0, stderr: "" });
      const text = await store.scrape();
      expect(valueOf(text, "mtls_value", 'job="mtls"')).toBe(2);
      expect(valueOf(text, "mtls_cli_value", 'job="mtls"')).toBe(5);
    });
  });

  describe(`basic auth, ${name}`, () => {
    let store: Store;
    const authHeader = { authorization: "Basic " + btoa("pusher:right-password") };
    beforeAll(async () => {
      store = await start({ webConfig: await basicAuthWebConfig("pusher", "right-password"), fetchInit: { headers: authHeader } });
    });
    afterAll(() => store?.stop());

    test("library: the wrong password is a 401 in the result, the right one lands", async () => {
      const wrong = await new PushClient({ gateway: store.url, job: "auth", ...quiet, basicAuth: { username: "pusher", password: "nope" } }).push("auth_value 1\n");
      expect(wrong).toMatchObject({ ok: false, failure: "rejected", status: 401, attempts: 1 });
      const right = await new PushClient({ gateway: store.url, job: "auth", ...quiet, basicAuth: { username: "pusher", password: "right-password" } }).push("auth_value 2\n");
      expect(right.ok).toBe(true);
      expect(valueOf(await store.scrape(), "auth_value", 'job="auth"')).toBe(2);
    });

    test("agent push: wrong password warns and exits 0 (1 with --strict), --password-file works", async () => {
      const wrong = await runAgent(["push", "--gateway", store.url, "--job", "auth_cli", "--username", "pusher", "--password-file", secretFile("wrong", "nope"), "v=1"]);
      expect(wrong.code).toBe(0);
      expect(wrong.stderr).toMatch(/^agent push: warning: .*HTTP 401/);
      expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
      const strict = await runAgent(["push", "--strict", "--gateway", store.url, "--job", "auth_cli", "--username", "pusher", "--password", "nope", "v=1"]);
      expect(strict.code).toBe(1);
      const right = await runAgent(["push", "--gateway", store.url, "--job", "auth_cli", "--username", "pusher", "--password-file", secretFile("right", "right-password"), "v=4"]);
      expect(right).toMatchObject({ code: 0, stderr: "" });
      expect(valueOf(await store.scrape(), "v", 'job="auth_cli"')).toBe(4);
    });
  });
}
