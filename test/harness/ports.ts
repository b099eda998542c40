/** A free TCP port on 127.0.0.1, found by binding port 0 and letting go. */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** fetch() options with Bun's `tls` settings, for probing a server behind TLS or auth. */
export type FetchInit = RequestInit & { tls?: { rejectUnauthorized?: boolean; ca?: string; cert?: string; key?: string } };

/** Polls `url` until it answers 2xx or `timeoutMs` passes. */
export async function waitForHttp(url: string, timeoutMs = 15000, init?: FetchInit): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last = "";
  while (Date.now() < until) {
    try {
      const r = await fetch(url, init);
      if (r.ok) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} not ready after ${timeoutMs} ms (${last})`);
}
