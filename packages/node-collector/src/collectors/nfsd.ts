/** NFS server statistics from /proc/net/rpc/nfsd (node_exporter's nfsd collector). */
import { join } from "node:path";
import { defineCollector, NoDataError } from "../collector.ts";
import { readText } from "../read.ts";
import { NFS_V2_PROCEDURES, NFS_V3_PROCEDURES, parseRpcStats, procedures } from "../nfs-rpc.ts";

/** proc4ops in kernel order (fs/nfsd: OP_ACCESS = 3 ...); the first three slots are unused op numbers. */
const NFS_V4_OPS = [
  "Op0Unused", "Op1Unused", "Op2Future", "Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn",
  "GetAttr", "GetFH", "Link", "Lock", "Lockt", "Locku", "Lookup", "LookupRoot", "Nverify", "Open", "OpenAttr",
  "OpenConfirm", "OpenDgrd", "PutFH", "PutPubFH", "PutRootFH", "Read", "ReadDir", "ReadLink", "Remove", "Rename",
  "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr", "SetClientID", "SetClientIDConfirm", "Verify", "Write",
  "RelLockOwner",
] as const;

/** The NFSv4 operations node_exporter reports, a subset of NFS_V4_OPS. */
const NFS_V4_REPORTED = new Set<string>([
  "Access", "Close", "Commit", "Create", "DelegPurge", "DelegReturn", "GetAttr", "GetFH", "Link", "Lock", "Lockt",
  "Locku", "Lookup", "LookupRoot", "Nverify", "Open", "OpenAttr", "OpenConfirm", "OpenDgrd", "PutFH", "Read",
  "ReadDir", "ReadLink", "Remove", "Rename", "Renew", "RestoreFH", "SaveFH", "SecInfo", "SetAttr", "SetClientID",
  "SetClientIDConfirm", "Verify", "Write", "RelLockOwner",
]);

export const nfsd = defineCollector({
  name: "nfsd",
  defaultEnabled: true,
  create: ({ paths }) => ({
    collect(out) {
      const path = join(paths.procfs, "net", "rpc", "nfsd");
      const text = readText(path);
      if (text === null) throw new NoDataError(path);
      const s = parseRpcStats(text);
      const get = (line: string, i: number) => s.get(line)?.[i] ?? 0;
      out.counter("node_nfsd_reply_cache_hits_total", "Total number of NFSd Reply Cache hits (client lost server response).", get("rc", 0));
      out.counter("node_nfsd_reply_cache_misses_total", "Total number of NFSd Reply Cache an operation that requires caching (idempotent).", get("rc", 1));
      out.counter("node_nfsd_reply_cache_nocache_total", "Total number of NFSd Reply Cache non-idempotent operations (rename/delete/…).", get("rc", 2));
      out.counter("node_nfsd_file_handles_stale_total", "Total number of NFSd stale file handles", get("fh", 0));
      out.counter("node_nfsd_disk_bytes_read_total", "Total NFSd bytes read.", get("io", 0));
      out.counter("node_nfsd_disk_bytes_written_total", "Total NFSd bytes written.", get("io", 1));
      out.gauge("node_nfsd_server_threads", "Total number of NFSd kernel threads that are running.", get("th", 0));
      out.gauge("node_nfsd_read_ahead_cache_size_blocks", "How large the read ahead cache is in blocks.", get("ra", 0));
      out.counter("node_nfsd_read_ahead_cache_not_found_total", "Total number of NFSd read ahead cache not found.", get("ra", 11));
      const packets = out.family("node_nfsd_packets_total", "counter", "Total NFSd network packets (sent+received) by protocol type.");
      packets.add(get("net", 1), { proto: "udp" });
      packets.add(get("net", 2), { proto: "tcp" });
      out.counter("node_nfsd_connections_total", "Total number of NFSd TCP connections.", get("net", 3));
      const errors = out.family("node_nfsd_rpc_errors_total", "counter", "Total number of NFSd RPC errors by error type.");
      errors.add(get("rpc", 2), { error: "fmt" });
      errors.add(get("rpc", 3), { error: "auth" });
      errors.add(get("rpc", 4), { error: "cInt" });
      out.counter("node_nfsd_server_rpcs_total", "Total number of NFSd RPCs.", get("rpc", 0));
      const requests = out.family("node_nfsd_requests_total", "counter", "Total number NFSd Requests by method and protocol.");
      // The server reports NULL calls for v2 and v3 but node_exporter leaves them out.
      for (const [method, v] of procedures(s.get("proc2"), NFS_V2_PROCEDURES)) if (method !== "Null") requests.add(v, { proto: "2", method });
      for (const [method, v] of procedures(s.get("proc3"), NFS_V3_PROCEDURES)) if (method !== "Null") requests.add(v, { proto: "3", method });
      for (const [method, v] of procedures(s.get("proc4ops"), NFS_V4_OPS)) if (NFS_V4_REPORTED.has(method)) requests.add(v, { proto: "4", method });
      // Write delegations' GETATTRs (kernel 6.11+, a line of its own); node_exporter reports 0 without it.
      requests.add(get("wdeleg_getattr", 0), { proto: "4", method: "WdelegGetattr" });
    },
  }),
});
