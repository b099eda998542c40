/**
 * /proc/net/rpc/nfs and /proc/net/rpc/nfsd share one shape: `label v1 v2 ...` lines, and `procN count v...`
 * lines whose first value is how many per-procedure counters follow. Method names are those node_exporter
 * exposes (the procfs library's field names).
 */

/** Label -> numbers. Lines node_exporter does not know (newer kernels add some) are kept and ignored by callers. */
export function parseRpcStats(text: string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const line of text.split("\n")) {
    const parts = line.split(" ").filter((p) => p !== "");
    if (parts.length < 2) continue;
    out.set(parts[0]!, parts.slice(1).map(Number));
  }
  return out;
}

/**
 * The counters of a `procN` line by procedure, in kernel order; missing procedures read 0, as the Go structs
 * node_exporter fills default to zero.
 */
export function procedures(values: readonly number[] | undefined, names: readonly string[]): [string, number][] {
  const counts = values?.slice(1) ?? [];
  return names.map((name, i) => [name, counts[i] ?? 0]);
}

export const NFS_V2_PROCEDURES = ["Null", "GetAttr", "SetAttr", "Root", "Lookup", "ReadLink", "Read", "WrCache", "Write", "Create", "Remove", "Rename", "Link", "SymLink", "MkDir", "RmDir", "ReadDir", "FsStat"] as const;

export const NFS_V3_PROCEDURES = ["Null", "GetAttr", "SetAttr", "Lookup", "Access", "ReadLink", "Read", "Write", "Create", "MkDir", "SymLink", "MkNod", "Remove", "RmDir", "Rename", "Link", "ReadDir", "ReadDirPlus", "FsStat", "FsInfo", "PathConf", "Commit"] as const;
