/**
 * `agent exec`: runs a command as if it were run directly (stdio passed through, signals forwarded, its
 * exit code returned, 128+signal when killed) and pushes how it went. The push happens after the command
 * has finished and cannot change its exit code.
 */
import { constants } from "node:os";
import { ConfigError } from "@agent/core";
import { Job, PushError } from "@agent/push-client";
import { clientFlags, clientOptions, parseWords, usageText, type ParsedWords } from "./client-flags.ts";
import { PeakRssTracker } from "./peak-rss.ts";

const USAGE = `Usage: agent exec --gateway URL --job NAME [flags] -- command [args ...]
Runs the command with stdin, stdout and stderr passed through and signals forwarded, exits with its exit
code (128+signal when killed), then pushes (POST) job_duration_seconds, job_exit_code, job_success,
job_cpu_seconds_total, job_max_rss_bytes (the command and its children), and
job_last_success_timestamp_seconds or job_last_failure_timestamp_seconds.`;

/** Signals a supervisor or a user may send that the command, not agent, should act on. */
const FORWARDED: NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH"];

const warn = (message: string) => process.stderr.write(`agent exec: warning: ${message}\n`);

interface Outcome {
  code: number;
  cpuSeconds: number;
  maxRssBytes: number;
}

/** Shell conventions for a command that never ran: 127 not found, 126 not executable. */
function spawnFailure(e: unknown, command: string): Outcome {
  const code = (e as NodeJS.ErrnoException).code === "ENOENT" ? 127 : 126;
  process.stderr.write(`agent exec: cannot run ${command}: ${(e as Error).message}\n`);
  return { code, cpuSeconds: 0, maxRssBytes: 0 };
}

async function runCommand(command: string[]): Promise<Outcome> {
  // Handlers go in before the spawn: a signal that arrives in between must not kill agent (the default
  // action of most of these) and leave the command running unsupervised.
  let child: ReturnType<typeof Bun.spawn> | undefined;
  const early: NodeJS.Signals[] = [];
  const forward = (signal: NodeJS.Signals) => (child ? child.kill(signal) : early.push(signal));
  for (const s of FORWARDED) process.on(s, forward);
  const rss = new PeakRssTracker();
  try {
    try {
      child = Bun.spawn(command, { stdio: ["inherit", "inherit", "inherit"] });
    } catch (e) {
      return spawnFailure(e, command[0]!);
    }
    rss.start(child.pid);
    for (const s of early) child.kill(s);
    await child.exited;
  } finally {
    for (const s of FORWARDED) process.off(s, forward);
  }
  // Bun gives the signal by name, or by number when it has no name for it.
  const signal = child.signalCode;
  const signo = typeof signal === "number" ? signal : signal ? (constants.signals[signal] ?? 0) : 0;
  const code = child.exitCode ?? 128 + signo;
  // wait4's rusage: the command plus every descendant it waited for.
  const usage = child.resourceUsage();
  return {
    code,
    cpuSeconds: usage ? Number(usage.cpuTime.total) / 1e6 : 0,
    maxRssBytes: rss.finish(usage?.maxRSS ?? 0),
  };
}

function usageError(message: string): number {
  process.stderr.write(`agent exec: ${message}\n\n${usageText(USAGE, "agent exec", clientFlags)}`);
  return 2;
}

export async function runExecCommand(argv: string[]): Promise<number> {
  let words: ParsedWords<typeof clientFlags>;
  try {
    words = parseWords(argv, clientFlags, true);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // After `--` the command is certain whatever is wrong before it, so it runs; without `--`, a flag this
    // parser does not know may be where the command begins, and guessing could run the wrong thing.
    const dash = argv.indexOf("--");
    const command = dash < 0 ? [] : argv.slice(dash + 1);
    if (command.length === 0 || argv.slice(0, dash).includes("--strict")) return usageError(e.message);
    warn(`not pushing: ${e.message}`);
    return (await runCommand(command)).code;
  }
  if (words.help) {
    process.stdout.write(usageText(USAGE, "agent exec", clientFlags));
    return 0;
  }
  if (words.command.length === 0) return usageError("no command given (agent exec [flags] -- command [args ...])");
  // Flags that cannot make a push (no --job, a gateway that is no URL, an unreadable password file): a job
  // must not fail because of its metrics, so that is one warning and the command runs unmeasured. With
  // --strict it is a usage error instead, found before anything runs.
  let job: Job | undefined;
  try {
    if (!words.values.job) throw new ConfigError("--job is required");
    job = new Job({ ...clientOptions(words.values, words.labels, warn), stem: "job" });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    if (words.values.strict) return usageError(e.message);
    warn(`not pushing: ${e.message}`);
  }
  job?.start();
  const outcome = await runCommand(words.command);
  if (!job) return outcome.code;
  job.gauge("job_exit_code", outcome.code, { help: "Exit code of the last run (128+signal when killed)." });
  job.counter("job_cpu_seconds_total", outcome.cpuSeconds, { help: "User and system CPU time of the last run, children included." });
  job.gauge("job_max_rss_bytes", outcome.maxRssBytes, {
    help: "Largest resident set of the last run's command or any of its children (0: ended before the first 100 ms sample).",
  });
  try {
    await job.finish(outcome.code === 0);
  } catch (e) {
    if (!(e instanceof PushError)) throw e;
    process.stderr.write(`agent exec: error: ${e.message}\n`);
    // --strict may fail a run that succeeded; it never hides a command's own failure code.
    if (words.values.strict && outcome.code === 0) return 1;
  }
  return outcome.code;
}
