/** The push role's own metrics: what it accepted, refused and expired, how big it is, how long commits take. */
import type { MetricSet } from "@agent/core";
import type { StorageFault } from "./storage-failure.ts";

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class PushStats {
  readonly pushes = new Map<string, number>();
  readonly rejects = new Map<string, number>();
  deletes = 0;
  expired = 0;
  private readonly commitBuckets = new Array<number>(LATENCY_BUCKETS.length).fill(0);
  private commitCount = 0;
  private commitSum = 0;

  countPush(method: string): void {
    this.pushes.set(method, (this.pushes.get(method) ?? 0) + 1);
  }

  countReject(reason: string): void {
    this.rejects.set(reason, (this.rejects.get(reason) ?? 0) + 1);
  }

  observeCommit(seconds: number): void {
    this.commitCount++;
    this.commitSum += seconds;
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) if (seconds <= LATENCY_BUCKETS[i]!) this.commitBuckets[i]!++;
  }

  addTo(out: MetricSet, size: { groups: number; series: number; storageBytes: number }, storageErrors: ReadonlyMap<StorageFault, number>): void {
    const pushes = out.family("agent_push_pushes_total", "counter", "Pushes stored, by HTTP method.");
    for (const m of ["PUT", "POST"]) pushes.add(this.pushes.get(m) ?? 0, { method: m });
    const rejects = out.family("agent_push_rejects_total", "counter", "Pushes refused, by reason.");
    for (const [reason, n] of [...this.rejects].sort()) rejects.add(n, { reason });
    const storage = out.family(
      "agent_push_storage_errors_total",
      "counter",
      "Changes not stored because the storage is full or failing, including those refused without trying while it stays so.",
    );
    for (const [reason, n] of storageErrors) storage.add(n, { reason });
    out.counter("agent_push_deletes_total", "Group deletions requested.", this.deletes);
    out.counter("agent_push_groups_expired_total", "Groups removed because their TTL ran out.", this.expired);
    out.gauge("agent_push_groups", "Groups stored.", size.groups);
    out.gauge("agent_push_series", "Metrics stored across all groups (a histogram or summary counts once).", size.series);
    out.gauge("agent_push_storage_bytes", "Size of the LMDB file holding the groups.", size.storageBytes);
    const latency = out.family("agent_push_commit_latency_seconds", "histogram", "Time from a change to its LMDB commit.");
    for (let i = 0; i < LATENCY_BUCKETS.length; i++) latency.add(this.commitBuckets[i]!, { le: String(LATENCY_BUCKETS[i]) }, "_bucket");
    latency.add(this.commitCount, { le: "+Inf" }, "_bucket");
    latency.add(this.commitSum, undefined, "_sum");
    latency.add(this.commitCount, undefined, "_count");
  }
}
