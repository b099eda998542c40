/**
 * Labels every structured metric gets without the job asking: where it ran. Read from the environment the
 * schedulers already set, so a job moved from cron to SLURM to Kubernetes keeps telling where it ran.
 */
import { hostname } from "node:os";

type Env = Readonly<Record<string, string | undefined>>;

function first(env: Env, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = env[n];
    if (v) return v;
  }
  return undefined;
}

export function standardLabels(env: Env = process.env, host: string = hostname()): Record<string, string> {
  const labels: Record<string, string> = { host };
  const inKubernetes = env.KUBERNETES_SERVICE_HOST !== undefined;
  // Kubernetes sets no node or pod variable itself; these are the downward-API names in common use.
  const node = first(env, "KUBERNETES_NODE_NAME", "NODE_NAME");
  if (node && (inKubernetes || env.KUBERNETES_NODE_NAME)) labels.kubernetes_node = node;
  const pod = first(env, "KUBERNETES_POD_NAME", "POD_NAME") ?? (inKubernetes ? host : undefined);
  if (pod) labels.kubernetes_pod = pod;
  const slurmJob = first(env, "SLURM_JOB_ID", "SLURM_JOBID");
  if (slurmJob) labels.slurm_job_id = slurmJob;
  // GitLab, GitHub Actions, Jenkins.
  const pipeline = first(env, "CI_PIPELINE_ID", "GITHUB_RUN_ID", "BUILD_TAG");
  if (pipeline) labels.ci_pipeline_id = pipeline;
  return labels;
}
