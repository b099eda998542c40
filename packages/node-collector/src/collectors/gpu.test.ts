import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger, formatValue } from "@agent/core";
import { buildFakeNvml, FAKE_NVIDIA_SMI, FAKE_SMI_DATA } from "../../fixtures/gpu/fakes.ts";
import { collectText, expectGolden, instantiate, promtoolProblems, scrapeText } from "../testing/golden.ts";
import { NodeRegistry } from "../registry.ts";
import { nodeValues } from "../testing/node-values.ts";
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

/** What a scrape holds when no GPU is reported: the state series only. */
const onlyState = (state: string) =>
  "# HELP node_gpu_collector_state Why the gpu collector reports GPUs or none: 1 for the current state.\n# TYPE node_gpu_collector_state gauge\n" +
  ["no_device", "no_library", "no_permission", "ok"].map((s) => `node_gpu_collector_state{state="${s}"} ${s === state ? 1 : 0}\n`).join("");

/** The families only NVML can fill (nvidia-smi's query has no such field) taken out, with their HELP and TYPE. */
const withoutNvmlOnly = (text: string) => text.replace(/^.*(nvidia_smi_(energy_joules_total|pcie_replays_total|pcie_throughput|xid_|compute_app_(sm|memory)_utilization|nvlink_)).*\n/gm, "");

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
      `nvidia_smi_persistence_mode{uuid="${H100}"} 1`,
      `nvidia_smi_persistence_mode{uuid="${RTX}"} 0`,
      `nvidia_smi_compute_mode{uuid="${H100}"} 0`,
      `nvidia_smi_mig_mode_current{uuid="${H100}"} 0`,
      `nvidia_smi_ecc_mode_current{uuid="${H100}"} 1`,
      `nvidia_smi_ecc_errors_uncorrected_volatile_total{uuid="${H100}"} 0`,
      `nvidia_smi_ecc_errors_corrected_aggregate_total{uuid="${H100}"} 0`,
      `nvidia_smi_remapped_rows_uncorrectable{uuid="${H100}"} 0`,
      `nvidia_smi_remapped_rows_pending{uuid="${H100}"} 0`,
      `nvidia_smi_nvlink_state{link="17",uuid="${H100}"} 1`,
      `nvidia_smi_fabric_state{uuid="${H100}"} 3`,
      `nvidia_smi_gpu_recovery_action{uuid="${RTX}"} 0`,
      `nvidia_smi_nvlink_errors_total{link="3",type="replay",uuid="${H100}"} 2`,
      `nvidia_smi_nvlink_errors_total{link="3",type="crc_flit",uuid="${H100}"} 5`,
      `nvidia_smi_nvlink_errors_total{link="0",type="crc_data",uuid="${H100}"} 0`,
    ];
    for (const line of lines) expect(text).toContain(line + "\n");
    expect(text).toContain("# HELP nvidia_smi_utilization_gpu_ratio utilization.gpu [%]\n# TYPE nvidia_smi_utilization_gpu_ratio gauge\n");
    // The H100 has no fan of its own (NVML_ERROR_NOT_SUPPORTED; nvidia-smi prints [N/A]): no series, not 0.
    expect(text).not.toContain(`nvidia_smi_fan_speed_ratio{uuid="${H100}"}`);
    expect(text).toContain("# TYPE nvidia_smi_ecc_errors_uncorrected_volatile_total counter\n");
    // The GeForce has no ECC and no MIG; the H100 remaps rows instead of retiring pages: no series, not 0.
    expect(text).not.toContain('link="18"');
    for (const absent of [`nvidia_smi_nvlink_state{uuid="${RTX}"`, `nvidia_smi_ecc_mode_current{uuid="${RTX}"}`, `nvidia_smi_ecc_errors_corrected_volatile_total{uuid="${RTX}"}`, `nvidia_smi_mig_mode_current{uuid="${RTX}"}`, "nvidia_smi_retired_pages_"]) {
      expect(text).not.toContain(absent);
    }
    // The GeForce has no serial, and 590.48.01 is not one number: neither becomes a gauge.
    expect(text).not.toContain(`nvidia_smi_serial{uuid="${RTX}"}`);
    expect(text).not.toContain("nvidia_smi_driver_version{");
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("each name scheme's golden output (NVML path), all three at once, promtool-clean", async () => {
    const schemes = ["nvidia_smi", "nvml", "dcgm"] as const;
    const texts: string[] = [];
    for (const scheme of schemes) {
      const text = (await collectText(gpu, { config: { nvmlLibrary: fakeNvml, nvidiaSmiCommand: "", metricNames: [scheme] } })).replace(
        /Hostname="[^"]*"/g,
        'Hostname="HOST"',
      );
      expectGolden(`gpu-names-${scheme}`, text);
      texts.push(text);
    }
    const all = await collectText(gpu, { config: { nvmlLibrary: fakeNvml, nvidiaSmiCommand: "", metricNames: [...schemes] } });
    const names = (t: string) => new Set(t.match(/^# TYPE \S+/gm));
    expect(names(all)).toEqual(new Set(texts.flatMap((t) => [...names(t)])));
    // tankbusta's and dcgm-exporter's names carry no unit suffix promtool wants; the lint is about ours.
    expect(promtoolProblems(all).filter((p) => !/^(nvml_|DCGM_FI_)/.test(p))).toEqual([]);
  });

  test("processes: memory and utilisation per process with its SLURM job, pod or unit; small ones summed as pid=other", async () => {
    const root = join(work, "jobs-root");
    const proc = (pid: number, cgroup: string) => {
      mkdirSync(join(root, "proc", String(pid)), { recursive: true });
      writeFileSync(join(root, "proc", String(pid), "cgroup"), cgroup);
      writeFileSync(join(root, "proc", String(pid), "status"), "Name:\tpython3\nUid:\t1001\t1001\t1001\t1001\n");
      writeFileSync(join(root, "proc", String(pid), "cmdline"), "/usr/bin/python3\0train.py\0");
    };
    const container = "3f1e9c0b7d2a4e5f8a6b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";
    proc(4101, "0::/system.slice/slurmstepd.scope/job_97/step_0/user/task_0\n");
    proc(4102, `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1b4e28ba_2fa1_11d2_883f_0016d3cca427.slice/cri-containerd-${container}.scope\n`);
    proc(5001, "0::/system.slice/jupyter.service\n");
    mkdirSync(join(root, "etc"), { recursive: true });
    writeFileSync(join(root, "etc", "passwd"), "alice:x:1001:1001::/home/alice:/bin/bash\n");
    // H100: a 40 GiB training job, a 12 GiB pod, two small helpers (8 and 32 MiB); GeForce: a 200 MiB notebook.
    const library = buildFakeNvml(work, {
      processes: [
        { gpu: 0, pid: 4101, mib: 40960, sm: 87, mem: 41 },
        { gpu: 0, pid: 4102, mib: 12288, sm: 9, mem: 3 },
        { gpu: 0, pid: 4103, mib: 8, sm: 1, mem: 0 },
        { gpu: 0, pid: 4104, mib: 32, sm: 2, mem: 1 },
        { gpu: 1, pid: 5001, mib: 200, sm: 5, mem: 2 },
      ],
    });
    const text = await collectText(gpu, {
      config: { nvmlLibrary: library, nvidiaSmiCommand: "" },
      paths: { procfs: join(root, "proc"), rootfs: root },
    });
    for (const line of [
      `nvidia_smi_compute_apps{uuid="${H100}"} 4`,
      `nvidia_smi_compute_app_used_memory_bytes{job_id="97",pid="4101",process_name="/usr/bin/python3",user="alice",uuid="${H100}"} ${formatValue(40960 * 1048576)}`,
      `nvidia_smi_compute_app_sm_utilization_ratio{job_id="97",pid="4101",process_name="/usr/bin/python3",user="alice",uuid="${H100}"} 0.87`,
      `nvidia_smi_compute_app_info{container="${container}",pid="4102",pod_uid="1b4e28ba-2fa1-11d2-883f-0016d3cca427",process_name="/usr/bin/python3",uuid="${H100}"} 1`,
      `nvidia_smi_compute_app_used_memory_bytes{pid="other",process_name="",uuid="${H100}"} ${formatValue(40 * 1048576)}`,
      `nvidia_smi_compute_app_sm_utilization_ratio{pid="other",process_name="",uuid="${H100}"} 0.03`,
      `nvidia_smi_compute_app_used_memory_bytes{pid="5001",process_name="/usr/bin/python3",unit="jupyter.service",uuid="${RTX}"} ${formatValue(200 * 1048576)}`,
    ]) {
      expect(text).toContain(line + "\n");
    }
    expect(text).not.toContain('pid="4103"');
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("XID errors from NVML's event API: counted per GPU and code; dcgm's gauge holds the newest code", async () => {
    const library = buildFakeNvml(work, { xids: [{ gpu: 0, xid: 79 }, { gpu: 0, xid: 48 }, { gpu: 0, xid: 48 }, { gpu: 1, xid: 13 }] });
    const text = await collectText(gpu, { config: { nvmlLibrary: library, nvidiaSmiCommand: "", metricNames: ["nvidia_smi", "dcgm"] } });
    expect(text).toContain("# TYPE nvidia_smi_xid_errors_total counter\n");
    expect(text).toContain(`nvidia_smi_xid_errors_total{uuid="${H100}",xid="79"} 1\n`);
    expect(text).toContain(`nvidia_smi_xid_errors_total{uuid="${H100}",xid="48"} 2\n`);
    expect(text).toContain(`nvidia_smi_xid_errors_total{uuid="${RTX}",xid="13"} 1\n`);
    const seen = Number(new RegExp(`nvidia_smi_xid_last_timestamp_seconds\\{uuid="${H100}",xid="48"\\} (\\S+)`).exec(text)?.[1]);
    expect(Math.abs(seen - Date.now() / 1000)).toBeLessThan(60);
    expect(text).toMatch(new RegExp(`DCGM_FI_DEV_XID_ERRORS\\{[^}]*,gpu="0",[^}]*\\} 48\n`));
    expect(text).toMatch(new RegExp(`DCGM_FI_DEV_XID_ERRORS\\{[^}]*,gpu="1",[^}]*\\} 13\n`));
  });

  test("the names the exporters' dashboards query are emitted, but for those listed as not yet", async () => {
    const library = buildFakeNvml(work, { processes: [{ gpu: 0, pid: 4101, mib: 40960, sm: 87, mem: 41 }], xids: [{ gpu: 0, xid: 79 }], mig: true });
    const instance = instantiate(gpu, { config: { nvmlLibrary: library, nvidiaSmiCommand: "", metricNames: ["nvidia_smi", "nvml", "dcgm"] } });
    const scrape = () => scrapeText(instance);
    await scrape(); // MIG activity needs the previous scrape's GPM sample
    const text = await scrape();
    const emitted = new Set(text.match(/^[A-Za-z_:][A-Za-z0-9_:]*(?=[{ ])/gm));
    const listed = (file: string) =>
      readFileSync(join(import.meta.dir, "../../fixtures/gpu/dashboards", file), "utf8")
        .split("\n")
        .filter((l) => l !== "" && !l.startsWith("#"))
        .map((l) => l.split(" ")[0]!);
    // The dashboard asks for clocks_throttle_reasons_X `or` clocks_event_reasons_X (older drivers' names).
    const alias = (name: string) => name.replace("clocks_throttle_reasons_", "clocks_event_reasons_");
    const notYet = new Set(["DCGM_FI_DEV_MEMORY_TEMP", "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "DCGM_FI_DEV_VGPU_LICENSE_STATUS"]);
    const names = [...listed("nvidia_gpu_exporter.txt"), ...listed("dcgm-exporter.txt"), ...listed("tankbusta.txt")].map(alias);
    // DCGM_FI_DRIVER_VERSION is a label in dcgm-exporter's output, not a series.
    expect(text).toContain('DCGM_FI_DRIVER_VERSION="590.48.01"');
    const series = names.filter((n) => n !== "DCGM_FI_DRIVER_VERSION");
    expect(series.filter((n) => !notYet.has(n) && !emitted.has(n))).toEqual([]);
    expect(series.filter((n) => notYet.has(n) && emitted.has(n))).toEqual([]);
    expect(series.filter((n) => emitted.has(n)).length).toBeGreaterThanOrEqual(60);
  });

  test("MIG: one info series per MIG device, the memory of each GPU instance", async () => {
    const text = await collectText(gpu, { config: { nvmlLibrary: buildFakeNvml(work, { mig: true }), nvidiaSmiCommand: "" } });
    expect(text).toContain(`nvidia_smi_mig_mode_current{uuid="${H100}"} 1\n`);
    expect(text).toContain(
      `nvidia_smi_mig_info{compute_instance_id="0",gpu_instance_id="9",mig_uuid="MIG-5c89c2b8-7a1b-5d6e-9f00-000000000009",profile="1g.10gb",uuid="${H100}"} 1\n`,
    );
    expect(text).toContain(`nvidia_smi_mig_memory_used_bytes{gpu_instance_id="2",uuid="${H100}"} ${formatValue(10240 * 1048576)}\n`);
    expect(text).toContain(`nvidia_smi_mig_memory_total_bytes{gpu_instance_id="9",uuid="${H100}"} ${formatValue(9856 * 1048576)}\n`);
    expect(text.match(/^nvidia_smi_mig_info\{/gm)).toHaveLength(2);
    expect(text).not.toContain(`nvidia_smi_mig_info{uuid="${RTX}"`);
    expect(promtoolProblems(text)).toEqual([]);
  });

  test("MIG: each GPU instance's activity from two GPM samples, one per scrape; none on the first", async () => {
    const library = buildFakeNvml(work, { mig: true });
    const instance = instantiate(gpu, { config: { nvmlLibrary: library, nvidiaSmiCommand: "", metricNames: ["nvidia_smi", "dcgm"] } });
    const scrape = async () => (await scrapeText(instance)).replace(/Hostname="[^"]*"/g, 'Hostname="HOST"');
    const first = await scrape();
    expect(first).toContain("nvidia_smi_mig_info{");
    expect(first).not.toMatch(/_activity_|DCGM_FI_PROF_(GR|SM|PIPE|DRAM)/);
    const second = await scrape();
    // The fake's 3g.40gb instance (GPU instance 2) is busy, its 1g.10gb one (9) idle.
    expect(second).toContain(`nvidia_smi_mig_sm_activity_ratio{gpu_instance_id="2",uuid="${H100}"} 0.865\n`);
    expect(second).toContain(`nvidia_smi_mig_tensor_activity_ratio{gpu_instance_id="2",uuid="${H100}"} 0.525\n`);
    expect(second).toContain(`nvidia_smi_mig_sm_activity_ratio{gpu_instance_id="9",uuid="${H100}"} 0\n`);
    expect(second).toContain(`nvidia_smi_mig_pcie_throughput_rx_bytes_per_second{gpu_instance_id="2",uuid="${H100}"} ${formatValue(523.25 * 1048576)}\n`);
    expect(second).toMatch(/DCGM_FI_PROF_GR_ENGINE_ACTIVE\{[^}]*,GPU_I_ID="2",GPU_I_PROFILE="3g.40gb",[^}]*,gpu="0",[^}]*\} 0\.9725\n/);
    expect(second.match(/^DCGM_FI_PROF_SM_ACTIVE\{/gm)).toHaveLength(2);
    expect(second).not.toMatch(/_activity_ratio\{uuid="${RTX}"/);
    expect(promtoolProblems(second).filter((p) => !p.startsWith("DCGM_FI_"))).toEqual([]);
    expectGolden("gpu-mig", second);
    // Every later scrape compares with the one before it, not with the first; and reuses its two sample
    // buffers per GPU instance: the fake has room for 64, so a scrape that leaked one would run out here.
    for (let i = 0; i < 40; i++) expect(await scrape()).toBe(second);
  });

  test("MIG on a GPU without GPM (an A100): memory and info, no activity series and no error", async () => {
    const library = buildFakeNvml(work, { mig: true, noGpm: true });
    const instance = instantiate(gpu, { config: { nvmlLibrary: library, nvidiaSmiCommand: "", metricNames: ["nvidia_smi", "dcgm"] } });
    const scrape = () => scrapeText(instance);
    await scrape();
    const text = await scrape();
    expect(text).toContain(`nvidia_smi_mig_memory_used_bytes{gpu_instance_id="2",uuid="${H100}"} ${formatValue(10240 * 1048576)}\n`);
    expect(text).not.toMatch(/_activity_ratio|DCGM_FI_PROF_(GR|SM|PIPE|DRAM)/);
    expect(text).toContain('node_gpu_collector_state{state="ok"} 1\n');
  });

  test("nvidia-smi path: the compute processes of `--query-compute-apps` (the H100 capture under load), with their jobs", async () => {
    const loaded = script("smi-loaded", `FAKE_SMI_COMPUTE_APPS=${join(FAKE_SMI_DATA, "compute-apps-load.csv")} exec ${FAKE_NVIDIA_SMI} "$@"`);
    const text = await collectText(gpu, { config: { nvmlLibrary: MISSING_LIBRARY, nvidiaSmiCommand: loaded }, paths: { procfs: join(work, "no-proc") } });
    expect(text).toContain(`nvidia_smi_compute_apps{uuid="${H100}"} 3\n`);
    expect(text).toContain(`nvidia_smi_compute_apps{uuid="${RTX}"} 0\n`);
    expect(text).toContain(`nvidia_smi_compute_app_used_memory_bytes{pid="21198",process_name="./gpu_burn",uuid="${H100}"} ${formatValue(7484 * 1048576)}\n`);
    expect(text).toContain(`nvidia_smi_compute_app_info{pid="21180",process_name="/root/tools/memhog",uuid="${H100}"} 1\n`);
    expect(text).toContain("nvidia_smi_compute_apps_last_collect_success 1\n");
    expect(text).not.toContain("nvidia_smi_compute_app_sm_utilization_ratio");
  });

  test("nvidia-smi path (library missing) emits exactly the NVML path's series and values", async () => {
    const smi = await viaSmi();
    expect(smi).toContain(`nvidia_smi_fan_speed_ratio{uuid="${RTX}"} 0.38\n`);
    expect(smi).toBe(withoutNvmlOnly(await viaNvml()));
  });

  test("an NVML whose init fails (driver not loaded) falls back to nvidia-smi", async () => {
    const text = await collectText(gpu, { config: { nvmlLibrary: failingNvml, nvidiaSmiCommand: FAKE_NVIDIA_SMI } });
    expect(text).toBe(await viaSmi());
    expect(text).toContain(`nvidia_smi_temperature_gpu{uuid="${RTX}"} 40\n`);
  });

  test("a host with neither NVML nor nvidia-smi gets no GPU series, no error, and state no_library", async () => {
    expect(await viaSmi("/nonexistent/nvidia-smi")).toBe(onlyState("no_library"));
    expect(await viaSmi("nvidia-smi-not-on-path")).toBe(onlyState("no_library"));
  });

  test("state says why NVML is unusable: no permission on /dev/nvidia*, no driver, a driver/library mismatch", async () => {
    const nvmlOnly = (initError: number) => collectText(gpu, { config: { nvmlLibrary: buildFakeNvml(work, { initError }), nvidiaSmiCommand: "" } });
    expect(await nvmlOnly(4)).toBe(onlyState("no_permission")); // NVML_ERROR_NO_PERMISSION
    expect(await nvmlOnly(9)).toBe(onlyState("no_device")); // NVML_ERROR_DRIVER_NOT_LOADED
    expect(await nvmlOnly(18)).toBe(onlyState("no_library")); // NVML_ERROR_LIB_RM_VERSION_MISMATCH
    expect(await viaNvml()).toContain('node_gpu_collector_state{state="ok"} 1\n');
  });

  test("a driver that lists GPUs whose /dev nodes are hidden (PrivateDevices=) is no_permission, not no_library", async () => {
    const procfs = join(work, "proc-hidden");
    mkdirSync(join(procfs, "driver", "nvidia", "gpus", "0000:00:09.0"), { recursive: true });
    const hidden = existsSync("/dev/nvidiactl") ? "no_library" : "no_permission";
    expect(await collectText(gpu, { config: { nvmlLibrary: MISSING_LIBRARY, nvidiaSmiCommand: "" }, paths: { procfs } })).toBe(onlyState(hidden));
    expect(await collectText(gpu, { config: { nvmlLibrary: MISSING_LIBRARY, nvidiaSmiCommand: "" }, paths: { procfs: join(work, "proc-none") } })).toBe(
      onlyState("no_library"),
    );
  });

  test("a missing nvidia-smi is not looked for again at every scrape, only after a minute", async () => {
    const later = join(work, "smi-installed-later");
    const instance = instantiate(gpu, { config: { nvmlLibrary: MISSING_LIBRARY, nvidiaSmiCommand: later } });
    expect(await scrapeText(instance)).toBe(onlyState("no_library"));
    cpSync(FAKE_NVIDIA_SMI, later);
    chmodSync(later, 0o755);
    expect(await scrapeText(instance)).toBe(onlyState("no_library"));
  });

  test("nvidia-smi without a driver, GPUs or permission reports why; any other failure is an error", async () => {
    const noDriver = script(
      "smi-no-driver",
      `echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."; exit 9`,
    );
    expect(await viaSmi(noDriver)).toBe(onlyState("no_device"));
    expect(await viaSmi(script("smi-no-devices", `echo "No devices were found"; exit 6`))).toBe(onlyState("no_device"));
    const denied = script("smi-denied", `echo "Insufficient Permissions"; exit 4`);
    expect(await viaSmi(denied)).toBe(onlyState("no_permission"));
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
      nodeValues([gpu], ["--collector.timeout=500ms", `--collector.gpu.nvml-library=${MISSING_LIBRARY}`, `--collector.gpu.nvidia-smi-command=${hang}`]),
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
      nodeValues([gpu], [
        "--collector.timeout=500ms",
        `--collector.gpu.nvml-library=${buildFakeNvml(work, { hangSeconds: 2 })}`,
        `--collector.gpu.nvidia-smi-command=${FAKE_NVIDIA_SMI}`,
      ]),
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
      nodeValues([gpu], [`--collector.gpu.nvml-library=${fakeNvml}`, "--collector.gpu.nvidia-smi-command="]),
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

