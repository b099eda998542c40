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

export async function startNodeExporter(args: string[] = []): Promise<RunningNodeExporter> {
  const port = await freePort();
  const proc = Bun.spawn(["prometheus-node-exporter", `--web.listen-address=127.0.0.1:${port}`, ...UPSTREAM_DEFAULTS, ...args], {
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
