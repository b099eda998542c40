/**
 * Starts the compiled agent as a separate process on free loopback ports and waits until every role is ready.
 * The binary is `opts.bin`, else $AGENT_BIN, else dist/agent (built by `bun run test`).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { freePort, waitForHttp, type FetchInit } from "./ports.ts";

export const REPO_ROOT = resolve(import.meta.dir, "../..");

export function agentBinary(bin?: string): string {
  return resolve(REPO_ROOT, bin ?? process.env.AGENT_BIN ?? "dist/agent");
}

export interface StartAgentOptions {
  roles: string[];
  args?: string[];
  env?: Record<string, string>;
  cwd?: string;
  bin?: string;
  /** Reuse a storage directory (e.g. to restart over the same data); a fresh temp dir otherwise. */
  storagePath?: string;
  /** Skip waiting for /-/ready (for tests of start-up failures). */
  noWait?: boolean;
  /** Extra options for the readiness probe (e.g. TLS, auth headers). */
  probe?: FetchInit;
  /**
   * Words that run the binary, e.g. `["chroot", root]`; `bin` is then the binary's path as that command
   * sees it.
   */
  command?: string[];
  scheme?: "http" | "https";
  /**
   * The ports the roles listen on, chosen by the caller. With `fromArgs` the harness adds no `--roles`,
   * `--storage.path` or listen addresses: `args` (or the config file they name) must set them to these.
   */
  ports?: Record<string, number>;
  fromArgs?: boolean;
}

export interface RunningAgent {
  urls: Record<string, string>;
  ports: Record<string, number>;
  dataDir: string;
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** Everything the agent wrote to stdout and stderr so far. */
  output(): string;
  /** Sends the signal (SIGTERM by default), waits for exit, returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const running = new Set<RunningAgent>();
process.on("exit", () => {
  for (const a of running) a.proc.kill("SIGKILL");
});

async function drain(stream: ReadableStream<Uint8Array>, sink: string[]) {
  const dec = new TextDecoder();
  for await (const chunk of stream) sink.push(dec.decode(chunk, { stream: true }));
}

export interface CliRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the compiled agent to completion (a subcommand, or a start-up that must fail) with `stdin` piped in;
 * `bin`, `command` and `cwd` as startAgent takes them.
 */
export async function runAgent(
  args: string[],
  opts: { stdin?: string; env?: Record<string, string> } & Pick<StartAgentOptions, "bin" | "command" | "cwd"> = {},
): Promise<CliRun> {
  const proc = Bun.spawn([...(opts.command ?? []), agentBinary(opts.bin), ...args], {
    cwd: opts.cwd,
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
    env: { ...process.env, ...opts.env },
  });
  const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()]);
  await proc.exited;
  return { code: proc.exitCode, signal: proc.signalCode === null ? null : String(proc.signalCode), stdout, stderr };
}

export async function startAgent(opts: StartAgentOptions): Promise<RunningAgent> {
  const ownsStorage = opts.storagePath === undefined;
  const dataDir = opts.storagePath ?? mkdtempSync(join(tmpdir(), "agent-test-"));
  const ports: Record<string, number> = {};
  const urls: Record<string, string> = {};
  const args = opts.fromArgs ? [] : ["--roles", opts.roles.join(","), "--storage.path", dataDir];
  const scheme = opts.scheme ?? "http";
  for (const role of opts.roles) {
    ports[role] = opts.ports?.[role] ?? (await freePort());
    urls[role] = `${scheme}://127.0.0.1:${ports[role]}`;
    if (!opts.fromArgs) args.push(`--${role}.listen-address=127.0.0.1:${ports[role]}`);
  }
  args.push(...(opts.args ?? []));
  const proc = Bun.spawn([...(opts.command ?? []), agentBinary(opts.bin), ...args], {
    cwd: opts.cwd ?? dataDir,
    env: { ...process.env, ...opts.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out: string[] = [];
  const drained = Promise.all([drain(proc.stdout, out), drain(proc.stderr, out)]);
  const agent: RunningAgent = {
    urls,
    ports,
    dataDir,
    proc,
    output: () => out.join(""),
    async stop(signal = "SIGTERM") {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const code = await proc.exited;
      await drained;
      running.delete(agent);
      if (ownsStorage) rmSync(dataDir, { recursive: true, force: true });
      return code;
    },
  };
  running.add(agent);
  if (!opts.noWait) {
    try {
      await Promise.race([
        Promise.all(opts.roles.map((r) => waitForHttp(`${urls[r]}/-/ready`, 20000, opts.probe))),
        proc.exited.then((code) => {
          throw new Error(`agent exited with ${code} before it was ready`);
        }),
      ]);
    } catch (e) {
      await agent.stop("SIGKILL");
      throw new Error(`${(e as Error).message}\nagent output:\n${agent.output()}`);
    }
  }
  return agent;
}
