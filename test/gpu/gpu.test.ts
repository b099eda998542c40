// The gpu collector in the compiled binary: NVML through bun:ffi on its worker thread, the nvidia-smi fallback,
// silence without a GPU, a hanging nvidia-smi or NVML, and the nvidia_gpu_exporter dashboard's queries against
// a real Prometheus.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFakeNvml, FAKE_NVIDIA_SMI } from "../../packages/node-collector/fixtures/gpu/fakes.ts";
import { runAgent, startAgent, startPrometheus, type RunningAgent } from "../harness/index.ts";
import { formatValue } from "../../packages/core/src/index.ts";

const H100 = "00000000-0000-0000-0000-000000000000";
const RTX = "00000001-0000-0000-0000-000000000001";
const GPU_ONLY = ["--collector.disable-defaults", "--collector.gpu"];

let work: string;
let fakeNvml: string;
const agents: RunningAgent[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "gpu-e2e-"));
  fakeNvml = buildFakeNvml(work);
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  rmSync(work, { recursive: true, force: true });
});

async function agentWith(args: string[]): Promise<RunningAgent> {
  const agent = await startAgent({ roles: ["node"], args });
  agents.push(agent);
  return agent;
}

async function metrics(agent: RunningAgent): Promise<string> {
  const r = await fetch(`${agent.urls.node}/metrics`);
  expect(r.status).toBe(200);
  return r.text();
}

const gpuLines = (text: string) => text.split("\n").filter((l) => l.startsWith("nvidia_smi_"));

describe("gpu collector in the compiled agent", () => {
  const hostHasNvidia = Bun.which("nvidia-smi") !== null || existsSync("/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.1");

  test.skipIf(hostHasNvidia)("is on by default and silent, and successful, on a host without an NVIDIA GPU", async () => {
    const agent = await agentWith([]);
    const text = await metrics(agent);
    expect(text).toContain('node_scrape_collector_success{collector="gpu"} 1\n');
    expect(text).not.toContain("nvidia_smi_");
    expect(text).toContain('node_gpu_collector_state{state="no_library"} 1\n');
    // The node page says why there are no GPUs.
    const page = await (await fetch(`${agent.urls.node}/`)).text();
    expect(page).toContain('<p class="muted" id="gpu-state">None shown: No NVIDIA library (libnvidia-ml.so.1) or nvidia-smi here');
  });

  let viaNvml: string[] = [];

  test("reads the GPUs through NVML (bun:ffi) inside the compiled binary", async () => {
    const agent = await agentWith([...GPU_ONLY, `--collector.gpu.nvml-library=${fakeNvml}`, "--collector.gpu.nvidia-smi-command=/nonexistent/nvidia-smi"]);
    const text = await metrics(agent);
    expect(text).toContain('node_scrape_collector_success{collector="gpu"} 1\n');
    viaNvml = gpuLines(text);
    for (const line of [
      `nvidia_smi_index{uuid="${RTX}"} 1`,
      `nvidia_smi_utilization_memory_ratio{uuid="${RTX}"} 0.09`,
      `nvidia_smi_memory_total_bytes{uuid="${H100}"} ${formatValue(81559 * 1048576)}`,
      `nvidia_smi_power_draw_watts{uuid="${H100}"} 69.85`,
      `nvidia_smi_clocks_current_graphics_clock_hz{uuid="${RTX}"} 7.65e+08`,
      `nvidia_smi_fan_speed_ratio{uuid="${RTX}"} 0.38`,
      `nvidia_smi_temperature_gpu{uuid="${H100}"} 41`,
    ]) {
      expect(viaNvml).toContain(line);
    }
    expect(viaNvml.filter((l) => l.startsWith("nvidia_smi_gpu_info{"))).toHaveLength(2);
  });

  test("falls back to nvidia-smi when the library is missing, with the same series and values", async () => {
    const agent = await agentWith([...GPU_ONLY, "--collector.gpu.nvml-library=/nonexistent/libnvidia-ml.so.1", `--collector.gpu.nvidia-smi-command=${FAKE_NVIDIA_SMI}`]);
    const lines = gpuLines(await metrics(agent));
    expect(lines.length).toBeGreaterThan(60);
    // Energy, PCIe throughput and replays, XIDs, NVLink and per-process utilisation come from NVML only.
    expect(lines).toEqual(viaNvml.filter((l) => !/^nvidia_smi_(energy_joules_total|pcie_replays_total|pcie_throughput|xid_|compute_app_(sm|memory)_utilization|nvlink_)/.test(l)));
  });

  test("a hanging nvidia-smi is killed at --collector.timeout; the scrape answers with success 0", async () => {
    const pidFile = join(work, "hang.pid");
    const hang = join(work, "nvidia-smi-hang");
    writeFileSync(hang, `#!/bin/sh\necho $$ > ${pidFile}\nexec sleep 600\n`);
    chmodSync(hang, 0o755);
    const agent = await agentWith([
      ...GPU_ONLY,
      "--collector.timeout=1s",
      "--collector.gpu.nvml-library=/nonexistent/libnvidia-ml.so.1",
      `--collector.gpu.nvidia-smi-command=${hang}`,
    ]);
    const started = performance.now();
    const text = await metrics(agent);
    // The bound: the scrape answers in time. Generous: 1 s timeout, 10 s allowed.
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(text).toContain('node_scrape_collector_success{collector="gpu"} 0\n');
    expect(text).not.toContain("nvidia_smi_");
    const pid = Number(readFileSync(pidFile, "utf8"));
    for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await Bun.sleep(100);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  test("a blocked NVML call costs only the gpu collector: the agent keeps answering, then recovers", async () => {
    const agent = await agentWith([...GPU_ONLY, "--collector.timeout=1s", `--collector.gpu.nvml-library=${buildFakeNvml(work, { hangSeconds: 3 })}`]);
    expect(await metrics(agent)).toContain('node_scrape_collector_success{collector="gpu"} 0\n');
    // NVML is still blocked (3 s) on its own thread: the agent answers meanwhile.
    expect((await fetch(`${agent.urls.node}/-/healthy`)).status).toBe(200);
    let text = "";
    for (let i = 0; i < 40 && !text.includes('node_scrape_collector_success{collector="gpu"} 1'); i++) {
      await Bun.sleep(250);
      text = await metrics(agent);
    }
    expect(text).toContain(`nvidia_smi_power_draw_watts{uuid="${H100}"} 69.85\n`);
  }, 30_000);

  test("a real Prometheus answers the nvidia_gpu_exporter dashboard's queries", async () => {
    const agent = await agentWith([...GPU_ONLY, `--collector.gpu.nvml-library=${fakeNvml}`]);
    const prom = await startPrometheus({ scrapeConfigs: [{ job_name: "node", static_configs: [{ targets: [agent.urls.node!.replace("http://", "")] }] }] });
    try {
      // The dashboard's GPU selector: label_values(nvidia_smi_index, uuid).
      const index = await prom.waitFor("nvidia_smi_index", (r) => r.length === 2);
      expect(index.map((s) => s.metric.uuid).sort()).toEqual([H100, RTX]);
      const byUuid = async (promql: string) =>
        Object.fromEntries((await prom.query(promql)).map((s) => [s.metric.uuid, Number(s.value[1])]));
      expect(await byUuid(`nvidia_smi_power_draw_watts{uuid="${RTX}"} / nvidia_smi_power_default_limit_watts{uuid="${RTX}"}`)).toEqual({
        [RTX]: 39.32 / 250,
      });
      expect(await byUuid("nvidia_smi_memory_used_bytes / nvidia_smi_memory_total_bytes")).toEqual({ [H100]: 0, [RTX]: 214 / 8192 });
      expect(await byUuid("nvidia_smi_clocks_current_graphics_clock_hz / nvidia_smi_clocks_max_graphics_clock_hz")).toEqual({
        [H100]: 345 / 1980,
        [RTX]: 765 / 2145,
      });
      const info = await prom.query(`nvidia_smi_gpu_info{uuid="${H100}"}`);
      expect(info[0]!.metric).toMatchObject({ name: "NVIDIA H100 80GB HBM3", vbios_version: "96.00.A5.00.01", driver_version: "590.48.01" });
    } finally {
      await prom.stop();
    }
  }, 60_000);

  test("dcgm-exporter's and tankbusta's names, XIDs and the job of each process, from the compiled binary; a real Prometheus answers dcgm-exporter's dashboard", async () => {
    const root = mkdtempSync(join(work, "host-"));
    mkdirSync(join(root, "proc", "4101"), { recursive: true });
    writeFileSync(join(root, "proc", "4101", "cgroup"), "12:memory:/slurm/uid_1001/job_4242/step_0/task_0\n");
    writeFileSync(join(root, "proc", "4101", "cmdline"), "/opt/conda/bin/python\0train.py\0");
    mkdirSync(join(root, "etc"));
    writeFileSync(join(root, "etc", "passwd"), "alice:x:1001:1001::/home/alice:/bin/bash\n");
    const library = buildFakeNvml(work, { processes: [{ gpu: 0, pid: 4101, mib: 40960, sm: 87, mem: 41 }], xids: [{ gpu: 0, xid: 79 }] });
    const agent = await agentWith([
      ...GPU_ONLY,
      `--collector.gpu.nvml-library=${library}`,
      "--collector.gpu.metric-names=nvidia_smi,nvml,dcgm",
      `--path.procfs=${join(root, "proc")}`,
      `--path.rootfs=${root}`,
    ]);
    const text = await metrics(agent);
    expect(text).toContain('node_gpu_collector_state{state="ok"} 1\n');
    expect(text).toContain(`nvidia_smi_xid_errors_total{uuid="${H100}",xid="79"} 1\n`);
    expect(text).toContain(
      `nvidia_smi_compute_app_used_memory_bytes{job_id="4242",pid="4101",process_name="/opt/conda/bin/python",user="alice",uuid="${H100}"} ${formatValue(40960 * 1048576)}\n`,
    );
    expect(text).toContain(`nvml_power_watts{device_id="0",device_name="NVIDIA H100 80GB HBM3",device_uuid="GPU-${H100}"} 69.85\n`);
    await metrics(agent);
    // One log line for the state, not one per scrape.
    expect(agent.output().match(/gpu collector state/g)).toHaveLength(1);
    const prom = await startPrometheus({ scrapeConfigs: [{ job_name: "node", static_configs: [{ targets: [agent.urls.node!.replace("http://", "")] }] }] });
    try {
      // The dashboard's variables and panels: label_values(DCGM_FI_DEV_GPU_TEMP, gpu), avg temperature, summed power.
      const temps = await prom.waitFor("DCGM_FI_DEV_GPU_TEMP", (r) => r.length === 2);
      expect(temps.map((s) => s.metric.gpu).sort()).toEqual(["0", "1"]);
      expect(temps.find((s) => s.metric.gpu === "0")!.metric).toMatchObject({ UUID: `GPU-${H100}`, modelName: "NVIDIA H100 80GB HBM3", device: "nvidia0" });
      expect(Number((await prom.query("avg(DCGM_FI_DEV_GPU_TEMP)"))[0]!.value[1])).toBe(40.5);
      expect(Number((await prom.query("sum(DCGM_FI_DEV_POWER_USAGE)"))[0]!.value[1])).toBeCloseTo(69.85 + 39.32, 6);
      expect(Number((await prom.query('DCGM_FI_DEV_FB_USED{gpu="1"}'))[0]!.value[1])).toBe(214);
      expect(Number((await prom.query('DCGM_FI_DEV_XID_ERRORS{gpu="0"}'))[0]!.value[1])).toBe(79);
    } finally {
      await prom.stop();
    }
  }, 60_000);

  test("MIG GPU instances' activity (GPM) from the compiled binary, scraped by a real Prometheus", async () => {
    const agent = await agentWith([...GPU_ONLY, `--collector.gpu.nvml-library=${buildFakeNvml(work, { mig: true })}`, "--collector.gpu.metric-names=nvidia_smi,dcgm"]);
    // Whether this first scrape has activity yet depends on the node page's own sampling having read the GPUs
    // before it (the unit test checks the first reading has none); memory needs no previous sample.
    expect(await metrics(agent)).toContain(`nvidia_smi_mig_memory_used_bytes{gpu_instance_id="2",uuid="${H100}"} ${formatValue(10240 * 1048576)}\n`);
    const prom = await startPrometheus({ scrapeConfigs: [{ job_name: "node", static_configs: [{ targets: [agent.urls.node!.replace("http://", "")] }] }] });
    try {
      const sm = await prom.waitFor("nvidia_smi_mig_sm_activity_ratio", (r) => r.length === 2);
      expect(Object.fromEntries(sm.map((s) => [s.metric.gpu_instance_id, Number(s.value[1])]))).toEqual({ "2": 0.865, "9": 0 });
      // The activity of each MIG profile, as a panel joins it to the info series.
      const byProfile = await prom.query(`nvidia_smi_mig_tensor_activity_ratio * on (uuid, gpu_instance_id) group_left (profile) nvidia_smi_mig_info`);
      expect(Object.fromEntries(byProfile.map((s) => [s.metric.profile, Number(s.value[1])]))).toEqual({ "3g.40gb": 0.525, "1g.10gb": 0 });
      const tensor = await prom.query('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{GPU_I_PROFILE="3g.40gb"}');
      expect(tensor.map((s) => [s.metric.GPU_I_ID, Number(s.value[1])])).toEqual([["2", 0.525]]);
    } finally {
      await prom.stop();
    }
  }, 60_000);

  test("an unknown name scheme or a bad size is refused at start: exit 2 and the flag named", async () => {
    const scheme = await runAgent(["--roles=node", "--collector.gpu.metric-names=nvidia_smi,prometheus"]);
    expect(scheme.code).toBe(2);
    expect(scheme.stderr).toContain('--collector.gpu.metric-names: "prometheus" is not one of nvidia_smi, nvml, dcgm');
    const size = await runAgent(["--roles=node", "--collector.gpu.process-min-memory=lots"]);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain("--collector.gpu.process-min-memory:");
  });
});
