/**
 * What a Lustre job id names. With jobid_var=SLURM_JOB_ID it is the numeric SLURM job id; with
 * jobid_var=procname_uid it is `<process name>.<uid>`, split on the last dot because process names may hold
 * dots themselves (`python3.9.1003` is python3.9 run by uid 1003). Anything else cannot be attributed.
 */
export type JobRef =
  | { kind: "slurm"; id: string }
  | { kind: "process"; procName: string; uid: number }
  | { kind: "unrecognized" };

const DIGITS = /^\d+$/;

export function classifyJobId(jobid: string): JobRef {
  if (DIGITS.test(jobid)) return { kind: "slurm", id: jobid };
  const dot = jobid.lastIndexOf(".");
  if (dot > 0) {
    const uid = jobid.slice(dot + 1);
    if (DIGITS.test(uid) && uid.length <= 10) return { kind: "process", procName: jobid.slice(0, dot), uid: Number(uid) };
  }
  return { kind: "unrecognized" };
}
