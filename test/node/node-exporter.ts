/**
 * The real node_exporter (Debian's prometheus-node-exporter 1.5) as the oracle for the node role, started
 * with upstream 1.8's defaults where Debian's differ, so both sides are asked for the same series.
 */
import type { Subprocess } from "bun";
import { freePort, waitForHttp } from "../harness/index.ts";

export const UPSTREAM_DEFAULTS = [
  // Debian excludes lo; upstream excludes nothing.
  "--collector.netdev.device-exclude=",
  "--collector.filesystem.mount-points-exclude=^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)",
  "--collector.filesystem.fs-types-exclude=^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tracefs)$",
  // 1.8 also excludes zram devices.
  "--collector.diskstats.device-exclude=^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p)\\d+$",
  // Debian turns systemd on and needs D-Bus for it.
  "--no-collector.systemd",
];

export interface RunningNodeExporter {
  url: string;
  proc: Subprocess;
  stop(): Promise<void>;
}

/** Starts node_exporter with `args` after the defaults; a collector `args` turns on is not also turned off (kingpin refuses both). */
export async function startNodeExporter(args: string[] = [], env: Record<string, string> = {}): Promise<RunningNodeExporter> {
  const port = await freePort();
  const defaults = UPSTREAM_DEFAULTS.filter((d) => !(d.startsWith("--no-collector.") && args.includes(`--collector.${d.slice("--no-collector.".length)}`)));
  const proc = Bun.spawn(["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`, ...defaults, ...args], {
    env: { ...process.env, ...env },
    stdout: "ignore",
    stderr: "ignore",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/metrics`);
  return {
    url,
    proc,
    async stop() {
      proc.kill("SIGTERM");
      await proc.exited;
    },
  };
}
