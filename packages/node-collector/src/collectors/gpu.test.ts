import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, formatValue } from "@agent/core";
import { buildFakeNvml, FAKE_NVIDIA_SMI } from "../../fixtures/gpu/fakes.ts";
import { collectText, promtoolProblems } from "../testing/golden.ts";
import { NodeRegistry } from "../registry.ts";
import { gpu } from "./gpu.ts";

const H100 = "00000000-0000-0000-0000-000000000000";
const RTX = "00000001-0000-0000-0000-000000000001";
const MISSING_LIBRARY = "/nonexistent/libnvidia-ml.so.1";

let work: string;
let fakeNvml: string;
let failingNvml: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "gpu-test-"));
  fakeNvml = buildFakeNvml(work);
  failingNvml = buildFakeNvml(work, { initError: 9 }); // NVML_ERROR_DRIVER_NOT_LOADED
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const path = join(work, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

const viaNvml = () => collectText(gpu, { config: { nvmlLibrary: fakeNvml, nvidiaSmiCommand: "" } });
const viaSmi = (command = FAKE_NVIDIA_SMI) => collectText(gpu, { config: { nvmlLibrary: MISSING_LIBRARY, nvidiaSmiCommand: command } });

describe("gpu collector", () => {
  test("NVML path: nvidia_gpu_exporter's series, names, units and labels for both GPUs", async () => {
    const text = await viaNvml();
    const lines = [
      `nvidia_smi_gpu_info{compute_cap="9.0",cuda_version="13.1",driver_model_current="[N/A]",driver_model_pending="[N/A]",driver_version="590.48.01",index="0",name="NVIDIA H100 80GB HBM3",pci_bus_id="00000000:00:09.0",pci_sub_device_id="0x16C110DE",serial="0000000000000",uuid="${H100}",vbios_version="96.00.A5.00.01"} 1`,
      `nvidia_smi_gpu_info{compute_cap="7.5",cuda_version="13.1",driver_model_current="[N/A]",driver_model_pending="[N/A]",driver_version="590.48.01",index="1",name="NVIDIA GeForce RTX 2080 SUPER",pci_bus_id="00000000:0C:00.0",pci_sub_device_id="0x40051458",serial="[N/A]",uuid="${RTX}",vbios_version="90.04.7A.40.73"} 1`,
      `nvidia_smi_index{uuid="${H100}"} 0`,
      `nvidia_smi_index{uuid="${RTX}"} 1`,
      `nvidia_smi_compute_cap{uuid="${RTX}"} 7.5`,
      `nvidia_smi_pci_sub_device_id{uuid="${H100}"} 3.81751518e+08`,
      `nvidia_smi_utilization_gpu_ratio{uuid="${H100}"} 0`,
      `nvidia_smi_utilization_memory_ratio{uuid="${RTX}"} 0.09`,
      `nvidia_smi_memory_total_bytes{uuid="${H100}"} ${formatValue(81559 * 1048576)}`,
      `nvidia_smi_memory_reserved_bytes{uuid="${H100}"} ${formatValue(479 * 1048576)}`,
      `nvidia_smi_memory_used_bytes{uuid="${RTX}"} ${formatValue(214 * 1048576)}`,
      `nvidia_smi_memory_free_bytes{uuid="${RTX}"} ${formatValue(7571 * 1048576)}`,
      `nvidia_smi_temperature_gpu{uuid="${H100}"} 41`,
      `nvidia_smi_power_draw_watts{uuid="${H100}"} 69.85`,
      `nvidia_smi_power_draw_watts{uuid="${RTX}"} 39.32`,
      `nvidia_smi_power_default_limit_watts{uuid="${RTX}"} 250`,
      `nvidia_smi_power_min_limit_watts{uuid="${RTX}"} 105`,
      `nvidia_smi_enforced_power_limit_watts{uuid="${H100}"} 700`,
      `nvidia_smi_clocks_current_graphics_clock_hz{uuid="${H100}"} 3.45e+08`,
      `nvidia_smi_clocks_current_memory_clock_hz{uuid="${RTX}"} 8.1e+08`,
      `nvidia_smi_clocks_max_memory_clock_hz{uuid="${RTX}"} 7.751e+09`,
      `nvidia_smi_fan_speed_ratio{uuid="${RTX}"} 0.38`,
      `nvidia_smi_pstate{uuid="${RTX}"} 8`,
      `nvidia_smi_pcie_link_gen_current{uuid="${RTX}"} 1`,
      `nvidia_smi_pcie_link_gen_max{uuid="${RTX}"} 3`,
      `nvidia_smi_clocks_event_reasons_supported{uuid="${H100}"} 511`,
      `nvidia_smi_clocks_event_reasons_gpu_idle{uuid="${H100}"} 1`,
      `nvidia_smi_clocks_event_reasons_gpu_idle{uuid="${RTX}"} 0`,
      `nvidia_smi_clocks_event_reasons_sw_power_cap{uuid="${RTX}"} 1`,
    ];
    for (const line of lines) expect(text).toContain(line + "\n");
    expect(text).toContain("# HELP nvidia_smi_utilization_gpu_ratio utilization.gpu [%]\n# TYPE nvidia_smi_utilization_gpu_ratio gauge\n");
    // The H100 has no fan of its own (NVML_ERROR_NOT_SUPPORTED; nvidia-smi prints [N/A]): no series, not 0.
    expect(text).not.toContain(`nvidia_smi_fan_speed_ratio{uuid="${H100}"}`);
    // The GeForce has no serial, and 590.48.01 is not one number: neither becomes a gauge.
    expect(text).not.toContain(`nvidia_smi_serial{uuid="${RTX}"}`);
    expect(text).not.toContain("nvidia_smi_driver_version{");
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("nvidia-smi path (library missing) emits exactly the NVML path's series and values", async () => {
    const smi = await viaSmi();
    expect(smi).toContain(`nvidia_smi_fan_speed_ratio{uuid="${RTX}"} 0.38\n`);
    expect(smi).toBe(await viaNvml());
  });

  test("an NVML whose init fails (driver not loaded) falls back to nvidia-smi", async () => {
    const text = await collectText(gpu, { config: { nvmlLibrary: failingNvml, nvidiaSmiCommand: FAKE_NVIDIA_SMI } });
    expect(text).toBe(await viaSmi());
    expect(text).toContain(`nvidia_smi_temperature_gpu{uuid="${RTX}"} 40\n`);
  });

  test("a host with neither NVML nor nvidia-smi gets nothing and no error", async () => {
    expect(await viaSmi("/nonexistent/nvidia-smi")).toBe("");
    expect(await viaSmi("nvidia-smi-not-on-path")).toBe("");
  });

  test("a missing nvidia-smi is not looked for again at every scrape, only after a minute", async () => {
    const later = join(work, "smi-installed-later");
    expect(await viaSmi(later)).toBe("");
    cpSync(FAKE_NVIDIA_SMI, later);
    chmodSync(later, 0o755);
    expect(await viaSmi(later)).toBe("");
  });

  test("nvidia-smi without a driver or without GPUs is silent; any other failure is an error", async () => {
    const noDriver = script(
      "smi-no-driver",
      `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."; exit 9`,
    );
    expect(await viaSmi(noDriver)).toBe("");
    expect(await viaSmi(script("smi-no-devices", `echo "No devices were found"; exit 6`))).toBe("");
    const broken = script("smi-broken", `echo "Unable to determine the device handle for GPU0000:01:00.0: Unknown Error" >&2; exit 255`);
    await expect(viaSmi(broken)).rejects.toThrow(/exited with 255: Unable to determine the device handle/);
  });

  test("a warning nvidia-smi writes to stderr does not disturb the CSV", async () => {
    const warns = script("smi-warns", `echo "WARNING: infoROM is corrupted at gpu 00000000:0C:00.0" >&2\nexec ${FAKE_NVIDIA_SMI} "$@"`);
    expect(await viaSmi(warns)).toBe(await viaSmi());
  });

  test("an older nvidia-smi that rejects a newer field is asked again without it", async () => {
    // The same host on an older driver, without compute_cap, memory.reserved or clocks_event_reasons.*.
    const dir = join(work, "old-driver");
    cpSync(join(FAKE_NVIDIA_SMI, ".."), dir, { recursive: true, filter: (src) => !src.endsWith(".c") });
    for (const file of readdirSync(join(dir, "smi")).filter((f) => f.endsWith(".csv"))) {
      const [header, row] = readFileSync(join(dir, "smi", file), "utf8").split("\n");
      const names = header!.split(", ");
      const keep = names.map((n) => !/^(compute_cap|memory\.reserved|clocks_event_reasons\.)/.test(n));
      const pick = (line: string) => line.split(", ").filter((_, i) => keep[i]).join(", ");
      writeFileSync(join(dir, "smi", file), `${pick(header!)}\n${pick(row!)}\n`);
    }
    const text = await viaSmi(join(dir, "nvidia-smi"));
    expect(text).not.toContain("nvidia_smi_memory_reserved_bytes");
    expect(text).not.toContain("nvidia_smi_clocks_event_reasons");
    expect(text).not.toContain("nvidia_smi_compute_cap");
    expect(text).toContain(`nvidia_smi_gpu_info{compute_cap="",cuda_version="13.1",`);
    expect(text).toContain(`nvidia_smi_memory_used_bytes{uuid="${RTX}"} ${formatValue(214 * 1048576)}\n`);
    expect(text).toContain(`nvidia_smi_fan_speed_ratio{uuid="${RTX}"} 0.38\n`);
  });

  test("a hanging nvidia-smi is killed at --collector.timeout and the scrape still answers", async () => {
    const pidFile = join(work, "hang.pid");
    const hang = script("smi-hang", `echo $$ > ${pidFile}\nexec sleep 600`);
    const registry = new NodeRegistry(
      [gpu],
      { "collector.timeout": 0.5, "collector.gpu.nvml-library": MISSING_LIBRARY, "collector.gpu.nvidia-smi-command": hang },
      createLogger({ level: "error", write: () => {} }),
    );
    const { results, sets } = await registry.scrape();
    expect(results).toEqual([{ name: "gpu", success: false, seconds: expect.any(Number) }]);
    expect(sets[0]!.render()).toBe("");
    const pid = Number(readFileSync(pidFile, "utf8"));
    // Killed, and reaped (a zombie would still have a /proc entry) within a generous bound.
    for (let i = 0; i < 50 && existsSync(`/proc/${pid}`); i++) await Bun.sleep(100);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
  });

  test("a blocked NVML call is abandoned at --collector.timeout without stalling the agent", async () => {
    const registry = new NodeRegistry(
      [gpu],
      { "collector.timeout": 0.5, "collector.gpu.nvml-library": buildFakeNvml(work, { hangSeconds: 2 }), "collector.gpu.nvidia-smi-command": FAKE_NVIDIA_SMI },
      createLogger({ level: "error", write: () => {} }),
    );
    // The timers that end these scrapes fire while NVML is blocked: it is blocked on another thread.
    const first = await registry.scrape();
    expect(first.results[0]!.success).toBe(false);
    // Still blocked: the next scrape waits on the same call and is abandoned too (no nvidia-smi either: a
    // wedged driver would stall it as well).
    const second = await registry.scrape();
    expect(second.results[0]!.success).toBe(false);
    expect(second.sets[0]!.render()).toBe("");
    // Once the call returns, NVML serves scrapes again.
    let later = await registry.scrape();
    for (let i = 0; i < 20 && !later.results[0]!.success; i++) {
      await Bun.sleep(250);
      later = await registry.scrape();
    }
    expect(later.results[0]!.success).toBe(true);
    expect(later.sets[0]!.render()).toContain(`nvidia_smi_power_draw_watts{uuid="${H100}"} 69.85\n`);
  });

  test("overlapping scrapes share one NVML reading", async () => {
    const registry = new NodeRegistry(
      [gpu],
      { "collector.gpu.nvml-library": fakeNvml, "collector.gpu.nvidia-smi-command": "" },
      createLogger({ level: "error", write: () => {} }),
    );
    const both = await Promise.all([registry.scrape(), registry.scrape(), registry.scrape()]);
    for (const scrape of both) {
      expect(scrape.results[0]!.success).toBe(true);
      expect(scrape.sets[0]!.render()).toBe(await viaNvml());
    }
  });

  test("NVML is initialised once and kept: later scrapes read the same library", async () => {
    const first = await viaNvml();
    rmSync(fakeNvml); // the loaded library stays mapped; a second dlopen of the path would now fail
    expect(await viaNvml()).toBe(first);
  });
});

