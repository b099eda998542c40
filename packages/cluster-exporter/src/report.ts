/** The last scrape as data, for a page that shows who is loading Lustre now and how the scrape went. */
import type { ScrapeOutcome } from "./collector.ts";
import { STAGES, type StageOutcome } from "./stages.ts";

export interface Ranked {
  name: string;
  /** Bytes per second for read and write; operations per second for metadata. */
  value: number;
}

export interface TopLists {
  read: Ranked[];
  write: Ranked[];
  metadata: Ranked[];
}

export interface ScrapeReport {
  /** Milliseconds since the epoch. */
  startedAt: number;
  seconds: number;
  ok: boolean;
  /** In the order the original exporter lists them. */
  stages: StageOutcome[];
  /** SLURM accounts. */
  accounts: TopLists;
  /** Users, from SLURM jobs and from process job ids together. */
  users: TopLists;
  /** Process names (job ids of the form procname.uid). */
  processes: TopLists;
}

function rank(totals: Map<string, number>, limit: number): Ranked[] {
  return [...totals.entries()]
    .map(([name, value]) => ({ name, value }))
    .sort((a, b) => b.value - a.value || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .slice(0, limit);
}

export function buildReport(o: ScrapeOutcome, limit = 10): ScrapeReport {
  const kinds = ["read", "write", "metadata"] as const;
  const lists = (f: (kind: (typeof kinds)[number]) => Map<string, number>): TopLists => ({
    read: rank(f("read"), limit),
    write: rank(f("write"), limit),
    metadata: rank(f("metadata"), limit),
  });
  return {
    startedAt: o.startedAt,
    seconds: o.seconds,
    ok: o.ok,
    stages: STAGES.map((s) => ({ ...o.stages[s] })),
    accounts: lists((k) => o.jobs[k].totalsBy("account")),
    users: lists((k) => o.procs[k].totalsBy("user_name", o.jobs[k].totalsBy("user"))),
    processes: lists((k) => o.procs[k].totalsBy("proc_name")),
  };
}
