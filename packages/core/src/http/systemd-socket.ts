/**
 * Socket activation (--web.systemd-socket): systemd passes a bound, listening socket as descriptor 3 and
 * says so in LISTEN_FDS and LISTEN_PID. Bun.serve cannot serve an inherited descriptor, but node:net can
 * listen on one; every connection accepted there is piped to the role's Bun.serve, which listens on a
 * Unix socket in a private directory. TLS passes through the pipe untouched.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError } from "../config/flag.ts";

/** The first descriptor systemd passes (SD_LISTEN_FDS_START). */
const FIRST_FD = 3;

export interface ActivatedSocket {
  /** Where the role's server listens; the relay connects there. */
  unixPath: string;
  /** The inherited socket's address, `host:port`, for logs and pages. */
  address: string;
  /**
   * Stops accepting on the inherited socket and removes the private directory; connections already piped
   * end when the role's server closes them.
   */
  close(): void;
}

/** The inherited descriptor, or a ConfigError saying why there is none for this process. */
export function inheritedFd(env: NodeJS.ProcessEnv = process.env, pid = process.pid): number {
  const count = Number(env.LISTEN_FDS);
  if (!env.LISTEN_FDS || !(count >= 1)) {
    throw new ConfigError("--web.systemd-socket: no socket was passed in (LISTEN_FDS is not set); start the agent from a systemd .socket unit");
  }
  if (Number(env.LISTEN_PID) !== pid) throw new ConfigError(`--web.systemd-socket: the sockets passed in are for process ${env.LISTEN_PID}, not this one`);
  if (count > 1) throw new ConfigError(`--web.systemd-socket: ${count} sockets were passed in; the agent serves one`);
  return FIRST_FD;
}

export async function relayActivatedSocket(fd: number): Promise<ActivatedSocket> {
  const dir = mkdtempSync(join(tmpdir(), "agent-socket-"));
  const unixPath = join(dir, "role.sock");
  const relay: Server = createServer((client) => {
    const upstream = connect(unixPath);
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
  });
  await new Promise<void>((listening, failed) => {
    relay.once("error", (e) => failed(new Error(`--web.systemd-socket: cannot listen on descriptor ${fd}: ${e.message}`)));
    relay.listen({ fd }, listening);
  });
  const info = relay.address() as AddressInfo | null;
  const address = info ? `${info.family === "IPv6" ? `[${info.address}]` : info.address}:${info.port}` : `fd ${fd}`;
  return {
    unixPath,
    address,
    close() {
      relay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
