/** NFS client RPC statistics from /proc/net/rpc/nfs (node_exporter's nfs collector). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { readText } from "../read.ts";
import { NFS_V2_PROCEDURES, NFS_V3_PROCEDURES, parseRpcStats, procedures } from "../nfs-rpc.ts";

/**
 * The client's NFSv4 operations in /proc/net/rpc/nfs order (kernel include/linux/nfs4.h client ops), except
 * that LayoutGet and GetDeviceInfo are swapped as node_exporter's procfs reads them, so the series match.
 */
const NFS_V4_CLIENT_PROCEDURES = [
  "Null", "Read", "Write", "Commit", "Open", "OpenConfirm", "OpenNoattr", "OpenDowngrade", "Close", "Setattr",
  "FsInfo", "Renew", "SetClientID", "SetClientIDConfirm", "Lock", "Lockt", "Locku", "Access", "Getattr", "Lookup",
  "LookupRoot", "Remove", "Rename", "Link", "Symlink", "Create", "Pathconf", "StatFs", "ReadLink", "ReadDir",
  "ServerCaps", "DelegReturn", "GetACL", "SetACL", "FsLocations", "ReleaseLockowner", "Secinfo", "FsidPresent",
  "ExchangeID", "CreateSession", "DestroySession", "Sequence", "GetLeaseTime", "ReclaimComplete", "LayoutGet",
  "GetDeviceInfo", "LayoutCommit", "LayoutReturn", "SecinfoNoName", "TestStateID", "FreeStateID", "GetDeviceList",
  "BindConnToSession", "DestroyClientID", "Seek", "Allocate", "DeAllocate", "LayoutStats", "Clone",
] as const;

export const nfs = defineCollector({
  name: "nfs",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const path = join(paths.procfs, "net", "rpc", "nfs");
      const text = readText(path);
      if (text === null) throw new NoDataError(path);
      const stats = parseRpcStats(text);
      const net = stats.get("net") ?? [];
      const rpc = stats.get("rpc") ?? [];
      const packets = out.family("node_nfs_packets_total", "counter", "Total NFSd network packets (sent+received) by protocol type.");
      packets.add(net[1] ?? 0, { protocol: "udp" });
      packets.add(net[2] ?? 0, { protocol: "tcp" });
      out.counter("node_nfs_connections_total", "Total number of NFSd TCP connections.", net[3] ?? 0);
      out.counter("node_nfs_rpcs_total", "Total number of RPCs performed.", rpc[0] ?? 0);
      out.counter("node_nfs_rpc_retransmissions_total", "Number of RPC transmissions performed.", rpc[1] ?? 0);
      out.counter("node_nfs_rpc_authentication_refreshes_total", "Number of RPC authentication refreshes performed.", rpc[2] ?? 0);
      const requests = out.family("node_nfs_requests_total", "counter", "Number of NFS procedures invoked.");
      const versions: [string, string, readonly string[]][] = [
        ["2", "proc2", NFS_V2_PROCEDURES],
        ["3", "proc3", NFS_V3_PROCEDURES],
        ["4", "proc4", NFS_V4_CLIENT_PROCEDURES],
      ];
      for (const [proto, line, names] of versions) {
        for (const [method, v] of procedures(stats.get(line), names)) requests.add(v, { proto, method });
      }
    },
  }),
});
