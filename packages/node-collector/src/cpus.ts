/**
 * The CPU directories under <sysfs>/devices/system/cpu, which the cpu (throttles) and cpufreq collectors both
 * walk every scrape.
 */
import type { NodePaths } from "./collector.ts";
import { listDir, readAttr, sysPath } from "./read.ts";

function isCpuDir(name: string): boolean {
  return name.startsWith("cpu") && name.length > 3 && name.charCodeAt(3) >= 48 && name.charCodeAt(3) <= 57;
}

/**
 * `cpu0`, `cpu1`, ... in CPU order. The kernel adds or removes these directories only when a CPU is added to
 * or removed from the machine, which changes the `present` mask; so the directory is listed again only when
 * that file reads differently (one read of a held file, much cheaper than a listing). Trees without the file
 * (fixtures) are listed every time.
 */
export class CpuDirs {
  private readonly base: string;
  /** The last listing and the `present` mask it was taken under. */
  private last: { present: string; names: string[] } | undefined;

  constructor(paths: NodePaths) {
    this.base = sysPath(paths, "devices/system/cpu");
  }

  names(): string[] {
    const present = readAttr(this.base + "/present");
    if (present !== null && this.last?.present === present) return this.last.names;
    const names = listDir(this.base)
      .filter(isCpuDir)
      .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
    this.last = present === null ? undefined : { present, names };
    return names;
  }
}

/**
 * The kernel's cpulist format ("0-3,8", "" for none), as in /sys/devices/system/cpu/{offline,isolated}; throws
 * on anything else, as node_exporter's parser does.
 */
export function parseCpuList(text: string): number[] {
  const out: number[] = [];
  for (const range of text.trim().split(",")) {
    if (range === "") continue;
    const ends = range.split("-");
    const [lo, hi = lo] = ends.map((s) => (/^\d+$/.test(s) ? Number(s) : NaN));
    if (ends.length > 2 || !Number.isInteger(lo) || !Number.isInteger(hi)) throw new Error(`invalid cpu list ${JSON.stringify(text)}`);
    for (let cpu = lo!; cpu <= hi!; cpu++) out.push(cpu);
  }
  return out;
}
