/**
 * The node role's flags, after node_exporter's: the --path.* roots, one `--collector.<name>` toggle per
 * collector plus the flags each collector owns, and which collectors a set of flag values enables.
 */
import { flag, type FlagSet, type FlagSpec } from "@agent/core";
import type { Collector, NodePaths } from "./collector.ts";

/**
 * An enable toggle. Unset it holds the collector's default as 0 or 1 (so --help shows on/off), set it holds
 * a boolean: --collector.disable-defaults must tell an explicit --collector.cpu from the default.
 */
export type Toggle = boolean | 0 | 1;

function toggleFlag(name: string, def: boolean): FlagSpec<Toggle> {
  const base = flag.bool(name, def, `Enable the ${name.slice("collector.".length)} collector.`);
  return { ...base, default: def ? 1 : 0, parse: (raw) => base.parse(raw) };
}

export const roleFlags = {
  "path.procfs": flag.string("path.procfs", "/proc", "procfs mountpoint."),
  "path.sysfs": flag.string("path.sysfs", "/sys", "sysfs mountpoint."),
  "path.rootfs": flag.string("path.rootfs", "/", "rootfs mountpoint."),
  "path.udev.data": flag.string("path.udev.data", "/run/udev/data", "udev data path."),
  "collector.disable-defaults": flag.bool(
    "collector.disable-defaults",
    false,
    "Set all collectors to disabled by default; enable them one by one with --collector.<name>.",
  ),
  "collector.timeout": flag.duration(
    "collector.timeout",
    5,
    "A collector still running after this long is abandoned for that scrape and reported with success 0.",
  ),
} as const;

/** Every flag of the node role: the frame flags above, one toggle per collector, and each collector's own. */
export function nodeFlags(collectors: readonly Collector[]): FlagSet {
  const out: Record<string, FlagSpec<unknown>> = { ...roleFlags };
  for (const c of collectors) {
    const name = `collector.${c.name}`;
    if (out[name]) throw new Error(`collector ${c.name} is registered twice`);
    out[name] = toggleFlag(name, c.defaultEnabled);
    for (const spec of Object.values(c.flags ?? {})) {
      if (out[spec.name]) throw new Error(`flag --${spec.name} of collector ${c.name} is declared twice`);
      out[spec.name] = spec;
    }
  }
  return out;
}

export function pathsFrom(values: Record<string, unknown>): NodePaths {
  const str = (k: string) => String(values[k] ?? (roleFlags as Record<string, FlagSpec<unknown>>)[k]!.default);
  return {
    procfs: str("path.procfs").replace(/\/+$/, "") || "/",
    sysfs: str("path.sysfs").replace(/\/+$/, "") || "/",
    rootfs: str("path.rootfs"),
    udevData: str("path.udev.data").replace(/\/+$/, ""),
  };
}

/** Whether `values` turn `c` on: an explicit toggle wins, then --collector.disable-defaults, then its default. */
export function isEnabled(c: Collector, values: Record<string, unknown>): boolean {
  const t = values[`collector.${c.name}`] as Toggle | undefined;
  if (typeof t === "boolean") return t;
  if (values["collector.disable-defaults"] === true) return false;
  return t === undefined ? c.defaultEnabled : t === 1;
}

/** The collector's own flags as `values` set them, each unset one at its default, keyed as the collector declares them. */
export function collectorConfig(c: Collector, values: Record<string, unknown>): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(c.flags ?? {})) config[key] = spec.name in values ? values[spec.name] : spec.default;
  return config;
}
