/**
 * Child processes for the cluster role's sources (squeue, getent). Every run is bounded: a child that
 * overruns its timeout is killed with its whole process group, so a wrapper script's own children (a hung
 * `sleep` behind a shell) cannot keep the pipe open and the caller waiting.
 */

export class CommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CommandError";
  }
}

export interface CommandResult {
  stdout: string;
  /** The exit status; callers decide which non-zero ones mean "failed" (getent uses 2 for "not found"). */
  exitCode: number;
  stderr: string;
}

export interface CommandOptions {
  timeoutSeconds: number;
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // The group is already gone: the child exited between the timer firing and the kill.
  }
}

/** Runs `argv` and collects its output; rejects with a CommandError that says what went wrong. */
export async function runCommand(argv: readonly string[], opts: CommandOptions): Promise<CommandResult> {
  const shown = argv.join(" ");
  let child: ReturnType<typeof Bun.spawn<"ignore", "pipe", "pipe">>;
  try {
    child = Bun.spawn([...argv], {
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
      detached: true,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === "ENOENT" ? "not found" : err.code === "EACCES" ? "not executable" : err.message;
    throw new CommandError(`${argv[0]}: ${why}`);
  }

  let timer: ReturnType<typeof setTimeout> | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      killGroup(child.pid);
      reject(new CommandError(`${shown}: no answer within ${opts.timeoutSeconds}s, killed`));
    }, opts.timeoutSeconds * 1000);
  });
  const finished = Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  try {
    const [stdout, stderr, exitCode] = await Promise.race([finished, overrun]);
    if (child.signalCode) throw new CommandError(`${shown}: killed by ${child.signalCode}`);
    return { stdout, stderr, exitCode };
  } finally {
    clearTimeout(timer);
    // A child that exited but left descendants behind in its group: they must not outlive the scrape.
    killGroup(child.pid);
    finished.catch(() => {});
  }
}

/** The first line of a program's output or an error body, cut short, for messages that stay on one log line. */
export function firstLine(text: string): string {
  const line = text.trim().split("\n", 1)[0] ?? "";
  return line.length > 200 ? line.slice(0, 200) + "..." : line;
}
