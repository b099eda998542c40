/**
 * A throw-away PKI made with the real `openssl` CLI: a CA, a server certificate for 127.0.0.1 signed by it,
 * a client certificate signed by it, and a self-signed client certificate the CA knows nothing about.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  dir: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** For 127.0.0.1 and good for client auth too: etcd's JSON gateway dials its own gRPC port with it. */
  dualCert: string;
  dualKey: string;
  /** Self-signed, so a server that verifies clients against `caCert` must refuse it. */
  strangerCert: string;
  strangerKey: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  const p = Bun.spawnSync(["openssl", ...args], { cwd: dir, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${p.stderr.toString()}`);
}

function newKeyAndCsr(dir: string, name: string, subject: string): void {
  openssl(dir, ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subject]);
}

function signWithCa(dir: string, name: string, extensions: string): void {
  writeFileSync(join(dir, `${name}.ext`), extensions);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-out", `${name}.crt`, "-extfile", `${name}.ext`]);
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "agent-pki-"));
  const selfSigned = (name: string, subject: string) =>
    openssl(dir, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.crt`, "-days", "2", "-subj", subject]);
  selfSigned("ca", "/CN=agent test CA");
  newKeyAndCsr(dir, "server", "/CN=127.0.0.1");
  signWithCa(dir, "server", "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  newKeyAndCsr(dir, "dual", "/CN=127.0.0.1");
  signWithCa(dir, "dual", "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth,clientAuth\n");
  newKeyAndCsr(dir, "client", "/CN=prometheus");
  signWithCa(dir, "client", "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n");
  selfSigned("stranger", "/CN=stranger");
  const at = (f: string) => join(dir, f);
  return {
    dir,
    caCert: at("ca.crt"),
    serverCert: at("server.crt"),
    serverKey: at("server.key"),
    clientCert: at("client.crt"),
    clientKey: at("client.key"),
    dualCert: at("dual.crt"),
    dualKey: at("dual.key"),
    strangerCert: at("stranger.crt"),
    strangerKey: at("stranger.key"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
