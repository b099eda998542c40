import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_PATHS } from "../../read.ts";
import { JobMapper, jobFromCgroup } from "./jobs.ts";

const noUid = () => undefined;

describe("jobFromCgroup", () => {
  test("SLURM with cgroup v1: job and uid from the slurm hierarchy, whichever controller line holds it", () => {
    const text = [
      "12:pids:/slurm/uid_1000/job_4242/step_0/task_0",
      "11:memory:/slurm/uid_1000/job_4242/step_0/task_0",
      "4:devices:/slurm/uid_1000/job_4242/step_0",
      "1:name=systemd:/system.slice/slurmd.service",
      "",
    ].join("\n");
    expect(jobFromCgroup(text, noUid)).toEqual({ job_id: "4242", user: "1000" });
  });

  test("SLURM with cgroup v2: job from slurmstepd.scope, user from the process's uid", () => {
    const text = "0::/system.slice/slurmstepd.scope/job_97/step_batch/user/task_0\n";
    expect(jobFromCgroup(text, () => 1001)).toEqual({ job_id: "97", user: "1001" });
  });

  test("a Kubernetes pod, systemd and cgroupfs drivers: pod uid (dashes restored) and container id", () => {
    const id = "3f1e9c0b7d2a4e5f8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";
    expect(
      jobFromCgroup(
        `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b4e28ba_2fa1_11d2_883f_0016d3cca427.slice/cri-containerd-${id}.scope\n`,
        noUid,
      ),
    ).toEqual({ pod_uid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427", container: id });
    expect(jobFromCgroup(`9:memory:/kubepods/besteffort/pod1b4e28ba-2fa1-11d2-883f-0016d3cca427/${id}\n`, noUid)).toEqual({
      pod_uid: "1b4e28ba-2fa1-11d2-883f-0016d3cca427",
      container: id,
    });
  });

  test("a systemd service, a user session scope, and nothing recognisable", () => {
    expect(jobFromCgroup("0::/system.slice/jupyterhub.service\n", noUid)).toEqual({ unit: "jupyterhub.service" });
    expect(jobFromCgroup("0::/user.slice/user-1000.slice/session-4.scope\n", noUid)).toEqual({ unit: "session-4.scope" });
    expect(jobFromCgroup("0::/\n", noUid)).toEqual({});
    expect(jobFromCgroup("", noUid)).toEqual({});
  });
});

describe("JobMapper over a fake /proc and /etc/passwd", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "gpu-jobs-"));
    const proc = (pid: number, cgroup: string, uid: number) => {
      mkdirSync(join(root, "proc", String(pid)), { recursive: true });
      writeFileSync(join(root, "proc", String(pid), "cgroup"), cgroup);
      writeFileSync(join(root, "proc", String(pid), "status"), `Name:\tpython3\nUid:\t${uid}\t${uid}\t${uid}\t${uid}\n`);
    };
    proc(100, "0::/system.slice/slurmstepd.scope/job_97/step_0/user/task_0\n", 1001);
    proc(200, "11:memory:/slurm/uid_4000/job_5/step_0/task_0\n", 4000);
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc", "passwd"), "root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001::/home/alice:/bin/bash\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test("names SLURM users from passwd, keeps unknown uids as numbers, and a vanished process has no job", () => {
    const jobs = new JobMapper({ ...DEFAULT_PATHS, procfs: join(root, "proc"), rootfs: root });
    expect(jobs.jobOf(100)).toEqual({ job_id: "97", user: "alice" });
    expect(jobs.jobOf(200)).toEqual({ job_id: "5", user: "4000" });
    expect(jobs.jobOf(300)).toEqual({});
  });
});
