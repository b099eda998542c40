/** The real curl, as users and scripts call it; returns what came back without judging it. */
import { existsSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

let calls = 0;

export interface CurlResult {
  /** curl's own exit code: 0 when a response arrived, 60 for an unverifiable server certificate, ... */
  exitCode: number;
  /** HTTP status, 0 when no response arrived. */
  status: number;
  /** Response header names lower-cased; the last value wins. */
  headers: Record<string, string>;
  body: string;
  stderr: string;
}

/** `args` go to curl before the URL, e.g. `["--cacert", ca, "-u", "user:pass"]`. */
export async function curl(url: string, args: string[] = [], stdin?: string): Promise<CurlResult> {
  const marker = "\n--agent-test-status--";
  // Headers go to a file: curl 7.88 crashes writing them to /dev/stderr when that is a pipe.
  const headerFile = join(tmpdir(), `curl-headers-${process.pid}-${++calls}`);
  const p = Bun.spawn(["curl", "-sS", "-D", headerFile, "-w", `${marker}%{http_code}`, "--max-time", "20", ...args, url], {
    stdin: stdin === undefined ? "ignore" : new TextEncoder().encode(stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, stderr, exitCode] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  const headers: Record<string, string> = {};
  if (existsSync(headerFile)) {
    for (const line of readFileSync(headerFile, "latin1").split(/\r?\n/)) {
      const m = /^([A-Za-z0-9-]+):\s*(.*)$/.exec(line);
      if (m) headers[m[1]!.toLowerCase()] = m[2]!;
    }
    rmSync(headerFile, { force: true });
  }
  const at = out.lastIndexOf(marker);
  return {
    exitCode,
    status: at < 0 ? 0 : Number(out.slice(at + marker.length)),
    headers,
    body: at < 0 ? out : out.slice(0, at),
    stderr,
  };
}
