/** Hostile uploads: many large chunked bodies at once, and what they cost the process that receives them. */
import { readFileSync } from "node:fs";

/**
 * A `kB` field of /proc/<pid>/status in KiB: VmRSS (resident now), VmHWM (the most it has been resident),
 * RssAnon, RssFile, ...
 */
export function statusKiB(pid: number, field: string): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(readFileSync(`/proc/${pid}/status`, "latin1"));
  if (!m) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

/**
 * `bytes` of exposition text in 64 KiB chunks with no Content-Length, so the server learns its size only by
 * reading: one sample whose label value runs to the end, which a parser reading as it goes must hold whole.
 */
function chunkedBody(bytes: number): ReadableStream<Uint8Array> {
  const start = 'oversized{v="';
  const chunk = new Uint8Array(64 * 1024).fill(0x61);
  let sent = 0;
  return new ReadableStream({
    pull(out) {
      if (sent >= bytes) return out.close();
      const n = Math.min(chunk.length, bytes - sent);
      const next = chunk.slice(0, n);
      if (sent === 0) next.set(new TextEncoder().encode(start));
      out.enqueue(next);
      sent += n;
    },
  });
}

/**
 * Sends `count` PUTs of `bytes` each at once to `url`, chunked; returns each one's status, or the error text when
 * the server closed the connection before answering.
 */
export async function concurrentChunkedPuts(url: string, count: number, bytes: number): Promise<Array<number | string>> {
  return Promise.all(
    Array.from({ length: count }, () =>
      fetch(url, { method: "PUT", body: chunkedBody(bytes) }).then(
        async (r) => (await r.arrayBuffer(), r.status),
        (e: Error) => e.message,
      ),
    ),
  );
}
