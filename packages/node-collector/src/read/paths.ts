/** Where collectors find the host's files: every path goes through the --path.* roots, so tests point them at fixture trees. */
import type { NodePaths } from "../collector.ts";

export const DEFAULT_PATHS: NodePaths = { procfs: "/proc", sysfs: "/sys", rootfs: "/", udevData: "/run/udev/data" };

export function procPath(paths: NodePaths, rel: string): string {
  return paths.procfs + "/" + rel;
}

export function sysPath(paths: NodePaths, rel: string): string {
  return paths.sysfs + "/" + rel;
}

/** A path on the host's root filesystem, under --path.rootfs (for node_exporter in a container). */
export function rootfsPath(paths: NodePaths, abs: string): string {
  if (paths.rootfs === "/" || paths.rootfs === "") return abs;
  return paths.rootfs.replace(/\/+$/, "") + abs;
}
