import { expect, test } from "bun:test";
import { standardLabels } from "./standard-labels.ts";

test("only the host outside any scheduler", () => {
  expect(standardLabels({}, "db1")).toEqual({ host: "db1" });
});

test("SLURM job and CI pipeline ids from their variables", () => {
  expect(standardLabels({ SLURM_JOB_ID: "4242", CI_PIPELINE_ID: "77" }, "n1")).toEqual({ host: "n1", slurm_job_id: "4242", ci_pipeline_id: "77" });
  expect(standardLabels({ SLURM_JOBID: "5", GITHUB_RUN_ID: "9" }, "n1")).toEqual({ host: "n1", slurm_job_id: "5", ci_pipeline_id: "9" });
});

test("Kubernetes node from the downward API, pod defaulting to the host name inside a cluster", () => {
  expect(standardLabels({ KUBERNETES_SERVICE_HOST: "10.0.0.1", NODE_NAME: "worker-3" }, "etl-7f9")).toEqual({
    host: "etl-7f9",
    kubernetes_node: "worker-3",
    kubernetes_pod: "etl-7f9",
  });
  // NODE_NAME alone is too common a name to mean Kubernetes.
  expect(standardLabels({ NODE_NAME: "x" }, "h")).toEqual({ host: "h" });
});
