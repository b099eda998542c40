// The two node DaemonSets split the nodes between them and differ only in what the gpu collector needs.
import { expect, test } from "bun:test";
import { join } from "node:path";
import { REPO_ROOT } from "../harness/index.ts";

interface PodSpec {
  runtimeClassName?: string;
  hostPID?: boolean;
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: { key: string; operator: string; values: string[] }[] }[] } } };
  containers: { args: string[]; env: { name: string; value: string }[]; resources: unknown; securityContext: unknown; volumeMounts: unknown }[];
}

async function podSpec(file: string): Promise<PodSpec> {
  const doc = Bun.YAML.parse(await Bun.file(join(REPO_ROOT, "deploy/kubernetes", file)).text()) as { spec: { template: { spec: PodSpec } } };
  return doc.spec.template.spec;
}

test("daemonset.yaml runs where daemonset-gpu.yaml does not; the GPU one adds the NVIDIA runtime and nothing else", async () => {
  const plain = await podSpec("daemonset.yaml");
  const gpu = await podSpec("daemonset-gpu.yaml");
  const term = (s: PodSpec) => s.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]!.matchExpressions[0]!;
  expect(term(plain)).toEqual({ key: "nvidia.com/gpu.present", operator: "NotIn", values: ["true"] });
  expect(term(gpu)).toEqual({ key: "nvidia.com/gpu.present", operator: "In", values: ["true"] });
  expect(plain.runtimeClassName).toBeUndefined();
  expect(gpu.runtimeClassName).toBe("nvidia");
  // hostPID: the processes' cgroups (their jobs) under --path.procfs.
  expect(gpu.hostPID).toBe(true);
  const [p, g] = [plain.containers[0]!, gpu.containers[0]!];
  expect(g.env.filter((e) => !p.env.some((x) => x.name === e.name))).toEqual([
    { name: "NVIDIA_VISIBLE_DEVICES", value: "all" },
    { name: "NVIDIA_DRIVER_CAPABILITIES", value: "utility" },
  ]);
  expect(g.args).toEqual(p.args);
  expect([g.resources, g.securityContext, g.volumeMounts]).toEqual([p.resources, p.securityContext, p.volumeMounts]);
});
