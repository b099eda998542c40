/**
 * A real etcd cluster (Debian's `etcd-server`, /usr/bin/etcd) of `members` members on free loopback ports,
 * each with a temp data dir; the push role's etcd store is tested against it. Members can be killed and
 * restarted to test faults; stop() ends them all and removes their data. With `pki`, clients must speak TLS
 * and present a certificate signed by its CA.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Subprocess } from "bun";
import { freePort, waitForHttp, type FetchInit } from "./ports.ts";
import type { TestPki } from "./tls.ts";

export interface EtcdMember {
  name: string;
  clientUrl: string;
  peerUrl: string;
  dir: string;
  proc: Subprocess | undefined;
}

export interface RunningEtcd {
  members: EtcdMember[];
  /** Client URLs of every member, comma-separated, as --push.etcd.endpoints takes them. */
  endpoints: string;
  kill(i: number): Promise<void>;
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

function spawnMember(m: EtcdMember, cluster: string, state: "new" | "existing", pki: TestPki | undefined): Subprocess {
  const tls = pki ? [`--cert-file=${pki.dualCert}`, `--key-file=${pki.dualKey}`, "--client-cert-auth", `--trusted-ca-file=${pki.caCert}`] : [];
  return Bun.spawn(
    [
      "/usr/bin/etcd",
      `--name=${m.name}`,
      `--data-dir=${m.dir}`,
      `--listen-client-urls=${m.clientUrl}`,
      `--advertise-client-urls=${m.clientUrl}`,
      `--listen-peer-urls=${m.peerUrl}`,
      `--initial-advertise-peer-urls=${m.peerUrl}`,
      `--initial-cluster=${cluster}`,
      `--initial-cluster-state=${state}`,
      "--initial-cluster-token=agent-test",
      "--log-level=error",
      "--logger=zap",
      // Loopback on a busy machine: the defaults (100 ms / 1 s) cause needless elections.
      "--heartbeat-interval=200",
      "--election-timeout=2000",
      ...tls,
    ],
    { stdout: "ignore", stderr: "ignore" },
  );
}

/** How a test client (and the readiness probe) reaches a member: the PKI's CA and client certificate. */
export function etcdClientTls(pki: TestPki): FetchInit["tls"] {
  return { ca: readFileSync(pki.caCert, "utf8"), cert: readFileSync(pki.clientCert, "utf8"), key: readFileSync(pki.clientKey, "utf8") };
}

export async function startEtcd(members = 3, pki?: TestPki): Promise<RunningEtcd> {
  const scheme = pki ? "https" : "http";
  const probe: FetchInit | undefined = pki ? { tls: etcdClientTls(pki) } : undefined;
  const ms: EtcdMember[] = [];
  for (let i = 0; i < members; i++) {
    ms.push({
      name: `m${i}`,
      clientUrl: `${scheme}://127.0.0.1:${await freePort()}`,
      peerUrl: `http://127.0.0.1:${await freePort()}`,
      dir: mkdtempSync(join(tmpdir(), "etcd-")),
      proc: undefined,
    });
  }
  const cluster = ms.map((m) => `${m.name}=${m.peerUrl}`).join(",");
  for (const m of ms) m.proc = spawnMember(m, cluster, "new", pki);
  const etcd: RunningEtcd = {
    members: ms,
    endpoints: ms.map((m) => m.clientUrl).join(","),
    async kill(i) {
      const m = ms[i]!;
      m.proc?.kill("SIGKILL");
      await m.proc?.exited;
      m.proc = undefined;
    },
    async restart(i) {
      const m = ms[i]!;
      m.proc = spawnMember(m, cluster, "existing", pki);
      await waitForHttp(`${m.clientUrl}/health`, 30_000, probe);
    },
    async stop() {
      for (const m of ms) m.proc?.kill("SIGKILL");
      for (const m of ms) await m.proc?.exited;
      for (const m of ms) rmSync(m.dir, { recursive: true, force: true });
    },
  };
  try {
    for (const m of ms) await waitForHttp(`${m.clientUrl}/health`, 30_000, probe);
  } catch (e) {
    await etcd.stop();
    throw e;
  }
  return etcd;
}
