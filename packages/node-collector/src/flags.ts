/**
 * The node role's flags, after node_exporter's: the --path.* roots, one `--collector.<name>` toggle per
 * collector plus the flags each collector owns, and which collectors a set of flag values enables.
 */
import { flag, type FlagSpec, type FlagValues } from "@agent/core";
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
  procfs: flag.string("path.procfs", "/proc", "procfs mountpoint."),
  sysfs: flag.string("path.sysfs", "/sys", "sysfs mountpoint."),
  rootfs: flag.string("path.rootfs", "/", "rootfs mountpoint."),
  udevData: flag.string("path.udev.data", "/run/udev/data", "udev data path."),
  disableDefaults: flag.bool(
    "collector.disable-defaults",
    false,
    "Set all collectors to disabled by default; enable them one by one with --collector.<name>.",
  ),
  collectorTimeout: flag.duration(
    "collector.timeout",
    5,
    "A collector still running after this long is abandoned for that scrape and reported with success 0.",
  ),
} as const;

/**
 * The collectors' flags, keyed by flag name: one toggle per collector (`collector.<name>`) and each
 * collector's own, which only that collector's specs read (collectorConfig).
 */
export type CollectorFlags = Readonly<Record<string, FlagSpec<unknown>>>;
export type NodeFlags = typeof roleFlags & CollectorFlags;
/** The node role's flag values: the role's own typed, the collectors' as CollectorFlags keys them. */
export type NodeValues = FlagValues<typeof roleFlags> & Readonly<Record<string, unknown>>;

function toggleName(c: Collector): string {
  return `collector.${c.name}`;
}

/** Every flag of the node role: the frame flags above, one toggle per collector, and each collector's own. */
export function nodeFlags(collectors: readonly Collector[]): NodeFlags {
  const out: Record<string, FlagSpec<unknown>> = {};
  const taken = new Set(Object.values(roleFlags).map((spec) => spec.name));
  for (const c of collectors) {
    const name = toggleName(c);
    if (taken.has(name)) throw new Error(`collector ${c.name} is registered twice`);
    taken.add(name);
    out[name] = toggleFlag(name, c.defaultEnabled);
    for (const spec of Object.values(c.flags ?? {})) {
      if (taken.has(spec.name)) throw new Error(`flag --${spec.name} of collector ${c.name} is declared twice`);
      taken.add(spec.name);
      out[spec.name] = spec;
    }
  }
  return { ...roleFlags, ...out };
}

export function pathsFrom(values: NodeValues): NodePaths {
  return {
    procfs: values.procfs.replace(/\/+$/, "") || "/",
    sysfs: values.sysfs.replace(/\/+$/, "") || "/",
    rootfs: values.rootfs,
    udevData: values.udevData.replace(/\/+$/, ""),
  };
}

/** Whether `values` turn `c` on: an explicit toggle wins, then --collector.disable-defaults, then its default. */
export function isEnabled(c: Collector, values: NodeValues): boolean {
  const t = values[toggleName(c)] as Toggle | undefined;
  if (typeof t === "boolean") return t;
  if (values.disableDefaults) return false;
  return t === undefined ? c.defaultEnabled : t === 1;
}

/** The collector's own flags as `values` set them, each unset one at its default, keyed as the collector declares them. */
export function collectorConfig(c: Collector, values: NodeValues): Record<string, unknown> {
  const config: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(c.flags ?? {})) config[key] = spec.name in values ? values[spec.name] : spec.default;
  return config;
}
