/**
 * Running SLURM jobs from `squeue -ah -o "%A %a %u"`: job id -> account and user. The answer is reused for
 * the cache TTL, so several Prometheus servers scraping the role cost one squeue between them.
 */
import { CommandError, firstLine, runCommand } from "./command.ts";
import { TtlCache } from "./ttl-cache.ts";

export interface SlurmJob {
  account: string;
  user: string;
}

export interface RunningJobs {
  /** Numeric job id (as text, the form Lustre reports) -> owner. */
  jobs: Map<string, SlurmJob>;
  /** Lines that were not `<numeric id> <account> <user>`; skipped, not fatal. */
  badLines: number;
}

const SQUEUE_ARGS = ["-ah", "-o", "%A %a %u"] as const;

/** `<numeric job id> <account> <user>`, as `%A %a %u` prints it. */
const JOB_LINE = /^\s*(\d+)\s+(\S+)\s+(\S+)\s*$/;

export function parseSqueue(text: string): RunningJobs {
  const jobs = new Map<string, SlurmJob>();
  let badLines = 0;
  for (const line of text.split("\n")) {
    const m = JOB_LINE.exec(line);
    if (m) jobs.set(m[1]!, { account: m[2]!, user: m[3]! });
    else if (line.trim() !== "") badLines++;
  }
  return { jobs, badLines };
}

export interface SqueueOptions {
  path: string;
  timeoutSeconds: number;
  ttlSeconds: number;
  now?: () => number;
}

export class SqueueSource {
  private readonly cache: TtlCache<"jobs", RunningJobs>;
  private inFlight: Promise<RunningJobs> | undefined;

  constructor(private readonly opts: SqueueOptions) {
    this.cache = new TtlCache(opts.ttlSeconds, opts.now);
  }

  /** The running jobs, from the cache while it is fresh; a failure is not cached, so the next call retries. */
  get(): Promise<RunningJobs> {
    const cached = this.cache.get("jobs");
    if (cached) return Promise.resolve(cached);
    this.inFlight ??= this.run().finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }

  private async run(): Promise<RunningJobs> {
    const { stdout, stderr, exitCode } = await runCommand([this.opts.path, ...SQUEUE_ARGS], {
      timeoutSeconds: this.opts.timeoutSeconds,
    });
    if (exitCode !== 0) {
      const why = firstLine(stderr) || firstLine(stdout) || "no message";
      throw new CommandError(`${this.opts.path} exited with status ${exitCode}: ${why}`);
    }
    const result = parseSqueue(stdout);
    if (result.jobs.size === 0 && result.badLines > 0) {
      // Not one line understood: a wrong program or format, not an empty queue.
      throw new CommandError(`${this.opts.path} printed no line of the form "<jobid> <account> <user>": ${firstLine(stdout)}`);
    }
    this.cache.set("jobs", result);
    return result;
  }
}
