/**
 * tankbusta/nvidia_exporter's names (`--collector.gpu.metric-names=nvml`), which the GPU boxes this project
 * started from scraped on :9114: `nvml_*` gauges labelled `device_id` (index), `device_uuid` (`GPU-…`) and
 * `device_name`. Its memory figures are bytes and its `used` counts what the driver reserves (NVML's v1
 * memory call); `memory_percent` is the memory controller's utilization, not a share of memory.
 */
import type { MetricSet } from "@agent/core";
import type { GpuReading } from "./reading.ts";

const MiB = 1048576;

export function emitNvmlNames(out: MetricSet, gpus: readonly GpuReading[]): void {
  for (const gpu of gpus) {
    const v = gpu.values;
    const labels = { device_id: gpu.info.index, device_uuid: gpu.info.uuid, device_name: gpu.info.name };
    const gauge = (name: string, help: string, value: number | undefined) => {
      if (value !== undefined && Number.isFinite(value)) out.family(`nvml_${name}`, "gauge", help).add(value, labels);
    };
    gauge("power_watts", "Power usage of the GPU in watts.", v["power.draw"]);
    gauge("fan_speed", "Fan speed in percent of its maximum.", v["fan.speed"]);
    gauge("gpu_percent", "GPU utilization in percent.", v["utilization.gpu"]);
    gauge("memory_percent", "Memory controller utilization in percent.", v["utilization.memory"]);
    gauge("memory_total", "GPU memory in bytes.", v["memory.total"] === undefined ? undefined : v["memory.total"] * MiB);
    gauge("memory_free", "GPU memory free in bytes.", v["memory.free"] === undefined ? undefined : v["memory.free"] * MiB);
    const used = v["memory.used"] === undefined ? undefined : (v["memory.used"] + (v["memory.reserved"] ?? 0)) * MiB;
    gauge("memory_used", "GPU memory used in bytes, including what the driver reserves.", used);
    const celsius = v["temperature.gpu"];
    gauge("temperature_celsius", "GPU temperature in degrees Celsius.", celsius);
    gauge("temperature_fahrenheit", "GPU temperature in degrees Fahrenheit.", celsius === undefined ? undefined : (celsius * 9) / 5 + 32);
  }
}
