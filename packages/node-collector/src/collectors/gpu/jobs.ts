/**
 * Which job a GPU process belongs to, from its cgroup (`/proc/<pid>/cgroup`, under --path.procfs): a SLURM
 * job (`job_id`, and `user`), a Kubernetes pod (`pod_uid`, `container`), or else the systemd unit. The
 * layouts recognised are those the schedulers create:
 * - SLURM, cgroup v1: `/slurm/uid_<uid>/job_<id>/step_<step>/task_<n>` (in any controller's line);
 * - SLURM, cgroup v2: `/system.slice/slurmstepd.scope/job_<id>/step_<step>/user/task_<n>`;
 * - Kubernetes, cgroupfs driver: `/kubepods/<qos>/pod<uid>/<container id>`;
 * - Kubernetes, systemd driver: `/kubepods.slice/…/kubepods-<qos>-pod<uid with _>.slice/<runtime>-<container id>.scope`;
 * - anything else under systemd: the innermost `*.service` (or `*.scope`) component as `unit`.
 */
import { readFileSync } from "node:fs";
import type { NodePaths } from "../../collector.ts";
import { procPath, readText, rootfsPath } from "../../read.ts";

export interface JobLabels {
  job_id?: string;
  user?: string;
  pod_uid?: string;
  container?: string;
  unit?: string;
}

const SLURM_JOB = /\/job_(\d+)(?:\/|$)/;
const SLURM_UID = /\/uid_(\d+)\//;
const POD = /\/(?:kubepods-[a-z]+-)?pod([0-9a-f_-]{36})(?:\.slice)?\/(?:[a-z-]+-)?([0-9a-f]{64})(?:\.scope)?$/;
const UNIT = /([^/]+\.(?:service|scope))(?:\/|$)/g;

/** The job of a process from its /proc/<pid>/cgroup text; `uidOf` is asked only for a SLURM job without uid_. */
export function jobFromCgroup(text: string, uidOf: () => number | undefined): JobLabels {
  const paths = text
    .split("\n")
    .map((line) => line.slice(line.indexOf(":", line.indexOf(":") + 1) + 1))
    .filter((p) => p !== "");
  for (const path of paths) {
    const job = SLURM_JOB.exec(path);
    if (!job) continue;
    const uid = SLURM_UID.exec(path)?.[1] ?? uidOf()?.toString();
    return uid === undefined ? { job_id: job[1] } : { job_id: job[1], user: uid };
  }
  for (const path of paths) {
    const pod = POD.exec(path);
    if (pod) return { pod_uid: pod[1]!.replaceAll("_", "-"), container: pod[2] };
  }
  // The v2 line (0::) when there is one, else the first that names a unit.
  for (const path of paths.toReversed()) {
    const units = [...path.matchAll(UNIT)];
    const unit = units.findLast((m) => m[1]!.endsWith(".service")) ?? units.at(-1);
    if (unit) return { unit: unit[1] };
  }
  return {};
}

/** The real uid of a process, from /proc/<pid>/status. */
function uidOfProcess(paths: NodePaths, pid: number): number | undefined {
  const status = readText(procPath(paths, `${pid}/status`));
  const uid = status && /^Uid:\s+(\d+)/m.exec(status)?.[1];
  return uid ? Number(uid) : undefined;
}

/**
 * Maps processes to jobs, naming SLURM users from the host's /etc/passwd (under --path.rootfs); a uid not
 * there (SSSD, LDAP) stays a number. The passwd file is reread at most once a minute.
 */
export class JobMapper {
  private users = new Map<string, string>();
  private usersReadAt = -Infinity;

  constructor(private readonly paths: NodePaths) {}

  /** As nvidia-smi's process_name: the program's path (argv[0], readable for any user's process); "" when gone. */
  processName(pid: number): string {
    const cmdline = readText(procPath(this.paths, `${pid}/cmdline`));
    if (!cmdline) return "";
    const end = cmdline.indexOf("\0");
    return end < 0 ? cmdline : cmdline.slice(0, end);
  }

  /** The job labels of `pid`, or {} when it is gone or in no recognised cgroup. */
  jobOf(pid: number): JobLabels {
    const text = readText(procPath(this.paths, `${pid}/cgroup`));
    if (!text) return {};
    const job = jobFromCgroup(text, () => uidOfProcess(this.paths, pid));
    if (job.user !== undefined) job.user = this.userName(job.user);
    return job;
  }

  private userName(uid: string): string {
    if (performance.now() - this.usersReadAt > 60_000) {
      this.usersReadAt = performance.now();
      this.users = new Map();
      try {
        for (const line of readFileSync(rootfsPath(this.paths, "/etc/passwd"), "utf8").split("\n")) {
          const [name, , id] = line.split(":");
          if (name && id && !this.users.has(id)) this.users.set(id, name);
        }
      } catch {
        // No readable passwd: uids stay numbers.
      }
    }
    return this.users.get(uid) ?? uid;
  }
}
