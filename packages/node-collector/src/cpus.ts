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
