/**
 * SELinux state (node_exporter's selinux collector). SELinux counts as enabled when selinuxfs is mounted
 * under /sys/fs/selinux and the process runs under a label other than "kernel"; node_exporter then reports
 * the configured mode from /etc/selinux/config and the current one from selinuxfs. Without SELinux it still
 * reports node_selinux_enabled 0, as node_exporter does.
 */
import { join } from "node:path";
import { defineCollector } from "../collector.ts";
import { parseEnvFile, readAttr, readText, rootfsPath } from "../read.ts";

/** enforcing 1, permissive 0, anything else (disabled, no file) -1: SELinux's own encoding. */
function configuredMode(text: string | null): number {
  const mode = text === null ? undefined : parseEnvFile(text).get("SELINUX");
  return mode === "enforcing" ? 1 : mode === "permissive" ? 0 : -1;
}

export const selinux = defineCollector({
  name: "selinux",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const enforce = readAttr(join(paths.sysfs, "fs", "selinux", "enforce"));
      // Without selinuxfs, the label is not asked for: /proc/self/attr/current then fails (EINVAL) every scrape.
      const label = enforce === null ? null : readAttr(join(paths.procfs, "self", "attr", "current"));
      const enabled = label !== null && label !== "" && label !== "kernel";
      out.gauge("node_selinux_enabled", "SELinux is enabled, 1 is true, 0 is false", enabled ? 1 : 0);
      if (!enabled) return;
      out.gauge("node_selinux_config_mode", "Configured SELinux enforcement mode", configuredMode(readText(rootfsPath(paths, "/etc/selinux/config"))));
      const current = Number(enforce);
      out.gauge("node_selinux_current_mode", "Current SELinux enforcement mode", Number.isInteger(current) ? current : -1);
    },
  }),
});
