/**
 * Failed commits and what the push role does about them: a full disk answers 507, a failing one 503, each
 * counted in agent_push_storage_errors_total{reason}, logged at most once a minute. While the storage stays
 * broken, pushes are refused without asking LMDB, which prints to stderr on every failed write, until the
 * file system has more room than at the last failure, or a minute has passed: then the next push tries.
 */
import { statfsSync } from "node:fs";
import type { Logger } from "@agent/core";
import { PushRejected } from "./push-rejected.ts";

/**
 * full: no room (ENOSPC, quota, LMDB's map); failing: I/O errors; unreachable: no etcd quorum answers;
 * other: anything else the storage reports.
 */
export type StorageFault = "full" | "failing" | "unreachable" | "other";
export const STORAGE_FAULTS: readonly StorageFault[] = ["full", "failing", "unreachable", "other"];

const ENOSPC = 28;
const EDQUOT = 122;
const EIO = 5;
/** LMDB's own "environment mapsize limit reached". */
const MDB_MAP_FULL = -30792;

/** Bytes an unprivileged writer can still use on the file system holding `dir`; undefined if unknown. */
export function freeBytes(dir: string): number | undefined {
  try {
    const s = statfsSync(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

export class StorageFailure extends Error {
  constructor(
    readonly fault: StorageFault,
    message: string,
  ) {
    super(message);
  }

  /** `cause`: what LMDB failed with (its `code` is the errno); `dir`: the directory holding the store. */
  static from(cause: unknown, dir: string): StorageFailure {
    const err = cause instanceof Error ? cause : new Error(String(cause));
    const code = (err as { code?: unknown }).code;
    let fault: StorageFault = "other";
    if (code === ENOSPC || code === EDQUOT || code === MDB_MAP_FULL) fault = "full";
    // LMDB reports a short write as EIO; on a file system with no room left that is a full disk.
    else if (code === EIO) fault = freeBytes(dir) === 0 ? "full" : "failing";
    return new StorageFailure(fault, err.message);
  }
}

const STATUS: Record<StorageFault, number> = { full: 507, failing: 503, unreachable: 503, other: 500 };
const ANSWER: Record<StorageFault, string> = {
  full: "storage full: the disk holding the push store has no room left",
  failing: "storage failing: the disk holding the push store reports I/O errors",
  unreachable: "storage unreachable: etcd",
  other: "storage error",
};
/** Faults whose answer names their cause, which the fixed text alone does not. */
const DETAILED = new Set<StorageFault>(["unreachable", "other"]);
/** How often a failure is logged, and how long refusals last before a push tries the storage again. */
const QUIET_MS = 60_000;

export class StorageHealth {
  readonly errors = new Map<StorageFault, number>(STORAGE_FAULTS.map((f) => [f, 0]));
  private broken: { fault: StorageFault; message: string; at: number; free: number | undefined } | undefined;
  private loggedAt = -Infinity;
  /** Failures since the last log line. */
  private unlogged = 0;

  /** `free`: bytes left on the file system holding the store (freeBytes). */
  constructor(
    private readonly log: Logger,
    private readonly free: () => number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * False while the storage is known to be broken and no retry is due. An unreachable etcd is asked again
   * at once: an election or a lost member passes in seconds, and each try costs only a request.
   */
  writable(): boolean {
    const b = this.broken;
    if (!b || b.fault === "unreachable") return true;
    const free = this.free();
    return this.now() - b.at >= QUIET_MS || (free !== undefined && b.free !== undefined && free > b.free);
  }

  /** Counts and answers a change refused without trying, because writable() said no. */
  refusal(): PushRejected {
    const b = this.broken!;
    return this.refuse(b.fault, b.message);
  }

  /** Counts and logs a failed commit; returns the answer for the change that failed. */
  failed(f: StorageFailure): PushRejected {
    this.broken = { fault: f.fault, message: f.message, at: this.now(), free: this.free() };
    return this.refuse(f.fault, f.message);
  }

  /** A commit went through: the storage works (again). */
  succeeded(): void {
    if (!this.broken) return;
    this.log.info("storage writable again", { refused: this.unlogged });
    this.broken = undefined;
    this.unlogged = 0;
    this.loggedAt = -Infinity;
  }

  private refuse(fault: StorageFault, message: string): PushRejected {
    this.errors.set(fault, this.errors.get(fault)! + 1);
    this.unlogged++;
    const now = this.now();
    if (now - this.loggedAt >= QUIET_MS) {
      this.log.error("storage write failed; changes are refused, stored data is kept", { reason: fault, err: message, refused: this.unlogged });
      this.loggedAt = now;
      this.unlogged = 0;
    }
    const why = DETAILED.has(fault) ? `${ANSWER[fault]} (${message})` : ANSWER[fault];
    return new PushRejected(
      `${why}; this change was not stored, everything stored before is kept`,
      `storage_${fault}`,
      STATUS[fault],
      false,
    );
  }
}
