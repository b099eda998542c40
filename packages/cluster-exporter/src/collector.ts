/**
 * One scrape of the cluster role. squeue and the three Prometheus queries start together; the uids and
 * gids seen in the answers are then resolved; then each answer is attributed to SLURM accounts and users or
 * to process names. A failed stage is recorded and logged, and every other stage still delivers. Only one
 * scrape runs at a time: one that arrives meanwhile gets nothing but "not ok" at once.
 *
 * A process whose uid or primary gid has no name (getent does not know it, or failed) is skipped, as the
 * original does, unless numeric names are asked for: numbers as names would make a second set of series per
 * user for the length of an NSS outage.
 */
import type { Logger } from "@agent/core";
import type { PasswdEntry } from "./identity.ts";
import { classifyJobId } from "./jobid.ts";
import type { ClusterQueries } from "./queries.ts";
import type { VectorAnswer } from "./prometheus.ts";
import type { RunningJobs, SlurmJob } from "./squeue.ts";
import { runStage, STAGES, type StageName, type StageOutcome } from "./stages.ts";
import { LabelledSums } from "./sums.ts";

/** Where a scrape's data comes from; the role wires the real programs and the upstream Prometheus. */
export interface ClusterSources {
  queries: ClusterQueries;
  runningJobs(): Promise<RunningJobs>;
  query(promql: string): Promise<VectorAnswer>;
  users(uids: Iterable<number>): Promise<Map<number, PasswdEntry | null>>;
  groups(gids: Iterable<number>): Promise<Map<number, string | null>>;
}

export interface CollectorOptions {
  /** Name unknown uids and gids by their number instead of skipping the process's rows. */
  numericNames: boolean;
}

export interface JobFamilies {
  read: LabelledSums;
  write: LabelledSums;
  metadata: LabelledSums;
}

export interface ScrapeOutcome {
  /** Milliseconds since the epoch. */
  startedAt: number;
  seconds: number;
  ok: boolean;
  stages: Record<StageName, StageOutcome>;
  /** By {account,user}; metadata by {account,target,user}. */
  jobs: JobFamilies;
  /** By {group_name,proc_name,user_name}; metadata adds target. */
  procs: JobFamilies;
}

/** Metadata is only meaningful per MDT; the query's OST rows (getattr, punch on OSTs) are left out. */
const MDT_TARGET = /-MDT[0-9a-fA-F]{4}$/;

interface Identities {
  users: Map<number, PasswdEntry | null>;
  groups: Map<number, string | null>;
}

function newFamilies(kind: "jobs" | "procs"): JobFamilies {
  const owner = kind === "jobs" ? ["account", "user"] : ["group_name", "proc_name", "user_name"];
  const withTarget = kind === "jobs" ? ["account", "target", "user"] : ["group_name", "proc_name", "target", "user_name"];
  return { read: new LabelledSums(owner), write: new LabelledSums(owner), metadata: new LabelledSums(withTarget) };
}

/** A process's user and group names, or undefined when its rows are to be skipped. */
type ProcOwner = (uid: number) => { user: string; group: string } | undefined;

/**
 * Adds one answer's samples to the job and process sums; returns how many could not be attributed.
 * Numeric ids squeue does not know (finished jobs, or squeue failed) are dropped without counting.
 */
function attribute(
  answer: VectorAnswer,
  jobs: Map<string, SlurmJob> | undefined,
  owner: ProcOwner,
  jobSums: LabelledSums,
  procSums: LabelledSums,
  metadata: boolean,
): number {
  let skipped = answer.skipped;
  for (const { labels, value } of answer.samples) {
    const jobid = labels.jobid;
    const target = labels.target;
    if (typeof jobid !== "string" || jobid === "" || (metadata && typeof target !== "string")) {
      skipped++;
      continue;
    }
    if (metadata && !MDT_TARGET.test(target!)) continue;
    const ref = classifyJobId(jobid);
    if (ref.kind === "slurm") {
      const job = jobs?.get(ref.id);
      if (!job) continue;
      jobSums.add(metadata ? [job.account, target!, job.user] : [job.account, job.user], value);
    } else if (ref.kind === "process") {
      const names = owner(ref.uid);
      if (!names) {
        skipped++;
        continue;
      }
      procSums.add(metadata ? [names.group, ref.procName, target!, names.user] : [names.group, ref.procName, names.user], value);
    } else {
      skipped++;
    }
  }
  return skipped;
}

function uidsIn(answers: (VectorAnswer | undefined)[]): Set<number> {
  const uids = new Set<number>();
  for (const a of answers) {
    if (!a) continue;
    for (const { labels } of a.samples) {
      const ref = typeof labels.jobid === "string" ? classifyJobId(labels.jobid) : undefined;
      if (ref?.kind === "process") uids.add(ref.uid);
    }
  }
  return uids;
}

export class StagedCollector {
  private active = false;
  private last: ScrapeOutcome | undefined;
  /** Cumulative since start, for cluster_exporter_stage_errors_total and _skipped_records_total. */
  readonly errorsTotal = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<StageName, number>;
  readonly skippedTotal = Object.fromEntries(STAGES.map((s) => [s, 0])) as Record<StageName, number>;
  /** Ids getent answered "no such" for and that were logged: each is logged once, not on every scrape. */
  private readonly reported = { uid: new Set<number>(), gid: new Set<number>() };

  constructor(
    private readonly sources: ClusterSources,
    private readonly log: Logger,
    private readonly options: CollectorOptions = { numericNames: false },
  ) {}

  /** The last completed scrape, for pages that show it. */
  lastOutcome(): ScrapeOutcome | undefined {
    return this.last;
  }

  /** A full scrape, or undefined when another one is still running. */
  async collect(): Promise<ScrapeOutcome | undefined> {
    if (this.active) {
      this.log.warn("Collect is still active... - Skipping now");
      return undefined;
    }
    this.active = true;
    try {
      const outcome = await this.scrape();
      this.last = outcome;
      return outcome;
    } finally {
      this.active = false;
    }
  }

  private async scrape(): Promise<ScrapeOutcome> {
    const startedAt = Date.now();
    const t0 = performance.now();
    const { sources } = this;
    const running = runStage("retrieve_running_jobs", () => sources.runningJobs());
    const [metadataQ, readQ, writeQ] = await Promise.all([
      runStage("build_metadata_metrics", () => sources.query(sources.queries.metadata)),
      runStage("build_read_throughput_metrics", () => sources.query(sources.queries.read)),
      runStage("build_write_throughput_metrics", () => sources.query(sources.queries.write)),
    ]);

    const users = await runStage("retrieve_user_name_info", () =>
      sources.users(uidsIn([metadataQ.value, readQ.value, writeQ.value])),
    );
    const gids = new Set<number>();
    for (const entry of users.value?.values() ?? []) if (entry) gids.add(entry.gid);
    const groups = await runStage("retrieve_group_name_info", () => sources.groups(gids));
    const jobsStage = await running;

    const owner = this.procOwner({ users: users.value ?? new Map(), groups: groups.value ?? new Map() });
    const jobMap = jobsStage.value?.jobs;
    jobsStage.outcome.skipped = jobsStage.value?.badLines ?? 0;
    const jobs = newFamilies("jobs");
    const procs = newFamilies("procs");
    const builds = [
      [metadataQ, jobs.metadata, procs.metadata, true],
      [readQ, jobs.read, procs.read, false],
      [writeQ, jobs.write, procs.write, false],
    ] as const;
    for (const [stage, jobSums, procSums, metadata] of builds) {
      if (!stage.value) continue;
      const start = performance.now();
      stage.outcome.skipped = attribute(stage.value, jobMap, owner, jobSums, procSums, metadata);
      stage.outcome.seconds += (performance.now() - start) / 1000;
    }

    const outcomes = [jobsStage.outcome, users.outcome, groups.outcome, metadataQ.outcome, readQ.outcome, writeQ.outcome];
    const stages = Object.fromEntries(outcomes.map((o) => [o.name, o])) as Record<StageName, StageOutcome>;
    let ok = true;
    for (const o of outcomes) {
      this.skippedTotal[o.name] += o.skipped;
      if (o.error === undefined) continue;
      ok = false;
      this.errorsTotal[o.name]++;
      this.log.error("stage failed", { stage: o.name, err: o.error });
    }
    return { startedAt, seconds: (performance.now() - t0) / 1000, ok, stages, jobs, procs };
  }

  /**
   * Names for a uid from this scrape's answers. An id missing from the answers (its getent failed, already
   * logged as a stage error) and an id getent does not know (logged here, once per id) both skip the row,
   * or give the number with --cluster.numeric-names (an unknown user has no known group: "").
   */
  private procOwner(ids: Identities): ProcOwner {
    const numeric = this.options.numericNames;
    return (uid) => {
      const user = ids.users.get(uid);
      if (!user) {
        if (user === null) this.reportUnknown("uid", uid, numeric);
        return numeric ? { user: String(uid), group: "" } : undefined;
      }
      const group = ids.groups.get(user.gid);
      if (typeof group === "string") return { user: user.name, group };
      if (group === null) this.reportUnknown("gid", user.gid, numeric);
      return numeric ? { user: user.name, group: String(user.gid) } : undefined;
    };
  }

  private reportUnknown(kind: "uid" | "gid", id: number, numeric: boolean): void {
    const seen = this.reported[kind];
    if (seen.has(id)) return;
    seen.add(id);
    const what = kind === "uid" ? "no user has this uid" : "no group has this primary gid";
    this.log.warn(`${what}; ${numeric ? "its processes are named by the number" : "its processes' rows are skipped"}`, { [kind]: id });
  }
}
