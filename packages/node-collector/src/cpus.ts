/**
 * The CPU directories under <sysfs>/devices/system/cpu, which the cpu (throttles) and cpufreq collectors both
 * walk every scrape.
 */
import type { NodePaths } from "./collector.ts";
import { listDir, readAttr, sysPath } from "./read.ts";

function isCpuDir(name: string): boolean {
  return name.startsWith("cpu") && name.length > 3 && name.charCodeAt(3) >= 48 && name.charCodeAt(3) <= 57;
}

/** Per sysfs root, the listing and the `present` mask it was taken under. */
const listings = new Map<string, { present: string; names: string[] }>();

/**
 * `cpu0`, `cpu1`, ... in CPU order. The kernel adds or removes these directories only when a CPU is added to
 * or removed from the machine, which changes the `present` mask; so the directory is listed again only when
 * that file reads differently (one read of a held file, where a listing cost ~10 us). Trees without the file
 * (fixtures) are listed every time.
 */
export function cpuDirNames(paths: NodePaths): string[] {
  const base = sysPath(paths, "devices/system/cpu");
  const present = readAttr(base + "/present");
  const last = listings.get(base);
  if (present !== null && last?.present === present) return last.names;
  const names = listDir(base)
    .filter(isCpuDir)
    .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  if (present !== null) listings.set(base, { present, names });
  return names;
}
