import { describe, expect, test } from "bun:test";
import { MetricSet } from "@agent/core";
import { parseSmiValue } from "./fields.ts";
import { emitGpus } from "./metrics.ts";

describe("parseSmiValue (nvidia_gpu_exporter's reading of nvidia-smi cells)", () => {
  test("numbers, hex masks, P-states and on/off words", () => {
    expect(parseSmiValue(" 39.32")).toBe(39.32);
    expect(parseSmiValue("0x00000000000001FF")).toBe(511);
    expect(parseSmiValue("0x16C110DE")).toBe(0x16c110de);
    expect(parseSmiValue("P8")).toBe(8);
    expect(parseSmiValue("Active")).toBe(1);
    expect(parseSmiValue("Not Active")).toBe(0);
    expect(parseSmiValue("Enabled")).toBe(1);
    expect(parseSmiValue("Disabled")).toBe(0);
    expect(parseSmiValue("Exclusive_Process")).toBe(3);
    expect(parseSmiValue("9.0")).toBe(9);
  });

  test("unavailable or ambiguous cells are not values", () => {
    for (const cell of ["[N/A]", "N/A", "[Not Supported]", "[Insufficient Permissions]", "[Unknown Error]", "", "590.48.01", "None", "NVIDIA H100 80GB HBM3"]) {
      expect(parseSmiValue(cell)).toBeUndefined();
    }
  });
});

test("a GPU that reports nothing numeric still gets its info series and index", () => {
  const out = new MetricSet();
  const na = "[N/A]";
  emitGpus(
    out,
    [{ info: { uuid: "GPU-ABC", name: "X", driver_model_current: na, driver_model_pending: na, vbios_version: na, driver_version: "470.82", pci_bus_id: na, serial: na, compute_cap: na, pci_sub_device_id: na, index: "3" }, values: {} }],
    "",
  );
  const text = out.render();
  expect(text).toContain('nvidia_smi_gpu_info{compute_cap="[N/A]",cuda_version="",');
  expect(text).toContain('uuid="abc"');
  expect(text).toContain('nvidia_smi_index{uuid="abc"} 3\n');
  // A two-part driver version is one number, which the exporter's "Driver Version" panel shows.
  expect(text).toContain('nvidia_smi_driver_version{uuid="abc"} 470.82\n');
  expect(text.match(/^nvidia_smi_/gm)).toHaveLength(3);
});
