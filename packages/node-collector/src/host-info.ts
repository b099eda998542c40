/**
 * The host inventory the node page shows above the charts: uptime, kernel and CPU model, read from
 * --path.procfs when the page is served (three small files; nothing is spawned). The systeminformation
 * package was the design's choice, but it runs a dozen programs (lscpu, dmesg, sh...) per call and ignores
 * --path.procfs.
 */
import type { NodePaths } from "./collector.ts";
import { procPath, readText } from "./read.ts";

export interface HostInfo {
  /** Seconds since boot, from btime in /proc/stat; NaN when unknown. */
  uptimeSeconds: number;
  /** The kernel release, e.g. 6.1.0-18-amd64; "" when unknown. */
  kernel: string;
  /** The first CPU's model as /proc/cpuinfo names it; "" when unknown. */
  cpuModel: string;
}

/** `model name` on x86, `Processor` or `cpu` on other architectures. */
const CPU_MODEL = /^(?:model name|Processor|cpu)\s*:\s*(.+)$/m;

export function readHostInfo(paths: NodePaths, nowSeconds = Date.now() / 1000): HostInfo {
  const btime = /^btime (\d+)$/m.exec(readText(procPath(paths, "stat"), { keepOpen: false }) ?? "");
  const kernel = readText(procPath(paths, "sys/kernel/osrelease"), { keepOpen: false }) ?? "";
  const cpuinfo = readText(procPath(paths, "cpuinfo"), { keepOpen: false }) ?? "";
  return {
    uptimeSeconds: btime ? nowSeconds - Number(btime[1]) : NaN,
    kernel: kernel.trim(),
    cpuModel: CPU_MODEL.exec(cpuinfo)?.[1]?.trim() ?? "",
  };
}
