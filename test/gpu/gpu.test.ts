// The gpu collector in the compiled binary: NVML through bun:ffi on its worker thread, the nvidia-smi fallback,
// silence without a GPU, a hanging nvidia-smi or NVML, and the nvidia_gpu_exporter dashboard's queries against
// a real Prometheus.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildFakeNvml, FAKE_NVIDIA_SMI } from "../../packages/node-collector/fixtures/gpu/fakes.ts";
import { startAgent, startPrometheus, type RunningAgent } from "../harness/index.ts";
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
    const text = await metrics(await agentWith([]));
    expect(text).toContain('node_scrape_collector_success{collector="gpu"} 1\n');
    expect(text).not.toContain("nvidia_smi_");
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
    expect(lines).toEqual(viaNvml);
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
});
