// The Kubernetes manifests under deploy/: each container runs from its own args, and its probes, done the way
// the kubelet does them, pass with basic auth on; the push Service carries the scrape annotations; the two node
// DaemonSets split the nodes between them and differ only in what the gpu collector needs.
import { afterAll, beforeAll, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, REPO_ROOT, startAgent } from "../harness/index.ts";

interface Probe {
  tcpSocket?: { port: string | number };
  httpGet?: { path: string; port: string | number; httpHeaders?: { name: string; value: string }[] };
  exec?: unknown;
}
interface Container {
  name: string;
  args: string[];
  ports: { name: string; containerPort: number }[];
  readinessProbe?: Probe;
  livenessProbe?: Probe;
}
interface Manifest {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { template?: { spec: { containers: Container[] } }; ports?: { port: number }[] };
}

function manifests(file: string): Manifest[] {
  const parsed = Bun.YAML.parse(readFileSync(join(REPO_ROOT, "deploy/kubernetes", file), "utf8")) as Manifest | Manifest[];
  return Array.isArray(parsed) ? parsed : [parsed];
}

const dir = mkdtempSync(join(tmpdir(), "k8s-probes-"));
const webConfig = join(dir, "web.yml");

beforeAll(() => {
  const hash = Bun.password.hashSync("secret", { algorithm: "bcrypt", cost: 4 });
  writeFileSync(webConfig, `basic_auth_users:\n  prometheus: ${hash}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The kubelet's checks: a TCP connect, or a GET with the probe's own headers answered 200-399. */
async function runProbe(probe: Probe, port: number): Promise<boolean> {
  if (probe.tcpSocket) {
    try {
      const socket = await Bun.connect({ hostname: "127.0.0.1", port, socket: { data() {} } });
      socket.end();
      return true;
    } catch {
      return false;
    }
  }
  if (probe.httpGet) {
    const headers = Object.fromEntries((probe.httpGet.httpHeaders ?? []).map((h) => [h.name, h.value]));
    const r = await fetch(`http://127.0.0.1:${port}${probe.httpGet.path}`, { headers });
    return r.status >= 200 && r.status < 400;
  }
  throw new Error(`probe kind not exercised by this test: ${JSON.stringify(probe)}`);
}

const cases: [string, string][] = [
  ["daemonset.yaml", "node"],
  ["daemonset-gpu.yaml", "node"],
  ["push.yaml", "push"],
];

for (const [file, role] of cases) {
  test(`${file}: the ${role} container starts from its args and its probes pass with basic auth on`, async () => {
    const workload = manifests(file).find((m) => m.spec.template)!;
    const container = workload.spec.template!.spec.containers[0]!;
    const port = await freePort();
    const storage = mkdtempSync(join(dir, "data-"));
    // The container's own args, with the host paths and the data volume of this machine.
    const args = container.args
      .filter((a) => !a.startsWith("--path."))
      .map((a) => (a.startsWith(`--${role}.listen-address=`) ? `--${role}.listen-address=127.0.0.1:${port}` : a))
      .map((a) => (a.startsWith("--storage.path=") ? `--storage.path=${storage}` : a));
    const auth = { headers: { Authorization: `Basic ${btoa("prometheus:secret")}` } };
    const agent = await startAgent({ roles: [role], ports: { [role]: port }, fromArgs: true, args: [...args, `--web.config.file=${webConfig}`], probe: auth });
    try {
      expect((await fetch(`${agent.urls[role]}/-/ready`)).status).toBe(401);
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        expect(probe).toBeDefined();
        const named = probe!.tcpSocket?.port ?? probe!.httpGet?.port;
        expect(container.ports.map((p) => p.name)).toContain(named as string);
        expect(await runProbe(probe!, port)).toBe(true);
      }
    } finally {
      expect(await agent.stop()).toBe(0);
    }
  });
}

test("push.yaml: the Service carries the scrape annotations for its own port", () => {
  const service = manifests("push.yaml").find((m) => m.kind === "Service")!;
  expect(service.metadata.annotations?.["prometheus.io/scrape"]).toBe("true");
  expect(Number(service.metadata.annotations?.["prometheus.io/port"])).toBe(service.spec.ports![0]!.port);
});

interface PodSpec {
  runtimeClassName?: string;
  hostPID?: boolean;
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: { matchExpressions: { key: string; operator: string; values: string[] }[] }[] } } };
  containers: { args: string[]; env: { name: string; value: string }[]; resources: unknown; securityContext: unknown; volumeMounts: unknown; readinessProbe: unknown; livenessProbe: unknown }[];
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
  expect([g.resources, g.securityContext, g.volumeMounts, g.readinessProbe, g.livenessProbe]).toEqual([
    p.resources,
    p.securityContext,
    p.volumeMounts,
    p.readinessProbe,
    p.livenessProbe,
  ]);
});
