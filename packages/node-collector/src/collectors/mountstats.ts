/**
 * NFS client statistics per mount from /proc/self/mountstats (node_exporter's mountstats collector), with the
 * server address from the same position in /proc/self/mountinfo, as node_exporter pairs them.
 */
import { defineCollector } from "../collector.ts";
import { fields, lines, procPath, readText } from "../read.ts";
import type { MetricSet } from "@agent/core";

const P = "node_mountstats_nfs_";

/** The `bytes:` line's eight counters, in kernel order. */
const BYTES: [name: string, help: string][] = [
  ["read_bytes_total", "Number of bytes read using the read() syscall."],
  ["write_bytes_total", "Number of bytes written using the write() syscall."],
  ["direct_read_bytes_total", "Number of bytes read using the read() syscall in O_DIRECT mode."],
  ["direct_write_bytes_total", "Number of bytes written using the write() syscall in O_DIRECT mode."],
  ["total_read_bytes_total", "Number of bytes read from the NFS server, in total."],
  ["total_write_bytes_total", "Number of bytes written to the NFS server, in total."],
  ["read_pages_total", "Number of pages read directly via mmap()'d files."],
  ["write_pages_total", "Number of pages written directly via mmap()'d files."],
];

/** The `events:` line's 27 counters in kernel order; null for the one node_exporter leaves out (congestion waits). */
const EVENTS: ([name: string, help: string] | null)[] = [
  ["event_inode_revalidate_total", "Number of times cached inode attributes are re-validated from the server."],
  ["event_dnode_revalidate_total", "Number of times cached dentry nodes are re-validated from the server."],
  ["event_data_invalidate_total", "Number of times an inode cache is cleared."],
  ["event_attribute_invalidate_total", "Number of times cached inode attributes are invalidated."],
  // node_exporter 1.8.2 repeats the previous help text here, and for setattr the getdents one.
  ["event_vfs_open_total", "Number of times cached inode attributes are invalidated."],
  ["event_vfs_lookup_total", "Number of times a directory lookup has occurred."],
  ["event_vfs_access_total", "Number of times permissions have been checked."],
  ["event_vfs_update_page_total", "Number of updates (and potential writes) to pages."],
  ["event_vfs_read_page_total", "Number of pages read directly via mmap()'d files."],
  ["event_vfs_read_pages_total", "Number of times a group of pages have been read."],
  ["event_vfs_write_page_total", "Number of pages written directly via mmap()'d files."],
  ["event_vfs_write_pages_total", "Number of times a group of pages have been written."],
  ["event_vfs_getdents_total", "Number of times directory entries have been read with getdents()."],
  ["event_vfs_setattr_total", "Number of times directory entries have been read with getdents()."],
  ["event_vfs_flush_total", "Number of pending writes that have been forcefully flushed to the server."],
  ["event_vfs_fsync_total", "Number of times fsync() has been called on directories and files."],
  ["event_vfs_lock_total", "Number of times locking has been attempted on a file."],
  ["event_vfs_file_release_total", "Number of times files have been closed and released."],
  null,
  ["event_truncation_total", "Number of times files have been truncated."],
  ["event_write_extension_total", "Number of times a file has been grown due to writes beyond its existing end."],
  ["event_silly_rename_total", "Number of times a file was removed while still open by another process."],
  ["event_short_read_total", "Number of times the NFS server gave less data than expected while reading."],
  ["event_short_write_total", "Number of times the NFS server wrote less data than expected while writing."],
  ["event_jukebox_delay_total", "Number of times the NFS server indicated EJUKEBOX; retrieving data from offline storage."],
  ["event_pnfs_read_total", "Number of NFS v4.1+ pNFS reads."],
  ["event_pnfs_write_total", "Number of NFS v4.1+ pNFS writes."],
];

/**
 * Transport counters by their index in the tcp layout (port bind connect connect_idle idle sends recvs
 * bad_xids req_u backlog_u max_slots sending_u pending_u); udp lacks the connect and idle columns.
 */
const TRANSPORT: [index: number, name: string, help: string, gauge?: true][] = [
  [1, "transport_bind_total", "Number of times the client has had to establish a connection from scratch to the NFS server."],
  [2, "transport_connect_total", "Number of times the client has made a TCP connection to the NFS server."],
  [4, "transport_idle_time_seconds", "Duration since the NFS mount last saw any RPC traffic, in seconds.", true],
  [5, "transport_sends_total", "Number of RPC requests for this mount sent to the NFS server."],
  [6, "transport_receives_total", "Number of RPC responses for this mount received from the NFS server."],
  [7, "transport_bad_transaction_ids_total", "Number of times the NFS server sent a response with a transaction ID unknown to this client."],
  [9, "transport_backlog_queue_total", "Total number of items added to the RPC backlog queue."],
  [10, "transport_maximum_rpc_slots", "Maximum number of simultaneously active RPC requests ever used.", true],
  [11, "transport_sending_queue_total", "Total number of items added to the RPC transmission sending queue."],
  [12, "transport_pending_queue_total", "Total number of items added to the RPC transmission pending queue."],
];

/** Per-operation columns after the name, in kernel order; the times are milliseconds, reported in seconds. */
const OPERATIONS: [name: string, help: string, ms?: true][] = [
  ["operations_requests_total", "Number of requests performed for a given operation."],
  ["operations_transmissions_total", "Number of times an actual RPC request has been transmitted for a given operation."],
  ["operations_major_timeouts_total", "Number of times a request has had a major timeout for a given operation."],
  ["operations_sent_bytes_total", "Number of bytes sent for a given operation, including RPC headers and payload."],
  ["operations_received_bytes_total", "Number of bytes received for a given operation, including RPC headers and payload."],
  ["operations_queue_time_seconds_total", "Duration all requests spent queued for transmission for a given operation before they were sent, in seconds.", true],
  ["operations_response_time_seconds_total", "Duration all requests took to get a reply back after a request for a given operation was transmitted, in seconds.", true],
  ["operations_request_time_seconds_total", "Duration all requests took from when a request was enqueued to when it was completely handled for a given operation, in seconds.", true],
];

/** node_exporter takes these counters modulo 2^53 so that they stay exact as float64. */
const MANTISSA = 1n << 53n;

function counter(s: string, what: string): bigint {
  if (!/^\d+$/.test(s)) throw new Error(`failed to parse mountstats: "${s}" in ${what} is not a counter`);
  return BigInt(s);
}

interface NfsMount {
  device: string;
  age: number;
  bytes: bigint[];
  events: bigint[];
  protocol: string;
  transport: bigint[];
  operations: { name: string; values: bigint[] }[];
}

/** Transport columns after the protocol, per statvers and protocol, and where udp's missing columns go. */
function transportColumns(version: string, protocol: string, raw: string[]): bigint[] {
  const expected: Record<string, Record<string, number>> = { "1.0": { tcp: 10, udp: 7 }, "1.1": { tcp: 13, udp: 10, rdma: 20 } };
  const want = expected[version]?.[protocol];
  if (want === undefined) throw new Error(`failed to parse mountstats: NFS transport "${protocol}" with statvers ${version}`);
  if (protocol === "rdma" ? raw.length < want : raw.length !== want) throw new Error(`failed to parse mountstats: ${raw.length} ${protocol} transport fields`);
  const v = raw.map((s) => counter(s, "xprt"));
  // udp has no connect, connect_idle or idle columns; 1.0's tcp lacks the queue columns, left 0.
  if (protocol === "udp") v.splice(2, 0, 0n, 0n, 0n);
  while (v.length < 13) v.push(0n);
  return v;
}

function parseMountstats(text: string): { device: string; nfs: NfsMount | null }[] {
  const rows = lines(text);
  const out: { device: string; nfs: NfsMount | null }[] = [];
  for (let r = 0; r < rows.length; r++) {
    const head = fields(rows[r]!);
    if (head[0] !== "device") continue;
    // device SRC mounted on MOUNTPOINT with fstype TYPE [statvers=V]
    if (head.length < 8 || head[2] !== "mounted" || head[3] !== "on" || head[5] !== "with" || head[6] !== "fstype") {
      throw new Error(`failed to parse mountstats: invalid device line "${rows[r]}"`);
    }
    if (head.length === 8) {
      out.push({ device: head[1]!, nfs: null });
      continue;
    }
    if (head[7] !== "nfs" && head[7] !== "nfs4") throw new Error(`failed to parse mountstats: cannot parse statistics of fstype ${head[7]}`);
    const version = head[8]!.replace(/^statvers=/, "");
    const m: NfsMount = { device: head[1]!, age: 0, bytes: Array(8).fill(0n), events: Array(27).fill(0n), protocol: "", transport: Array(13).fill(0n), operations: [] };
    // Attribute lines up to "per-op statistics", then one line per operation up to a blank line.
    for (r++; r < rows.length; r++) {
      const f = fields(rows[r]!);
      if (f.length === 0) break;
      if (f[0] === "age:") {
        m.age = Number(f[1]);
        if (!/^\d+(\.\d+)?$/.test(f[1] ?? "")) throw new Error(`failed to parse mountstats: bad age "${f[1]}"`);
      } else if (f[0] === "bytes:") {
        if (f.length !== 9) throw new Error(`failed to parse mountstats: ${f.length - 1} bytes fields`);
        m.bytes = f.slice(1).map((s) => counter(s, "bytes"));
      } else if (f[0] === "events:") {
        if (f.length !== 28) throw new Error(`failed to parse mountstats: ${f.length - 1} events fields`);
        m.events = f.slice(1).map((s) => counter(s, "events"));
      } else if (f[0] === "xprt:") {
        if (f.length < 3) throw new Error("failed to parse mountstats: incomplete xprt line");
        m.protocol = f[1]!;
        m.transport = transportColumns(version, f[1]!, f.slice(2));
      } else if (f[0] === "per-op") {
        for (r++; r < rows.length; r++) {
          const op = fields(rows[r]!);
          if (op.length === 0) break;
          if (op.length < 9) throw new Error(`failed to parse mountstats: invalid per-operation line "${rows[r]!.trim()}"`);
          m.operations.push({ name: op[0]!.replace(/:$/, ""), values: op.slice(1).map((s) => counter(s, op[0]!)) });
        }
        break;
      }
    }
    out.push({ device: head[1]!, nfs: m });
  }
  return out;
}

/** The addr= super option of each mountinfo line, in file order ("" where there is none). */
function serverAddresses(text: string): string[] {
  return lines(text)
    .filter((l) => l !== "")
    .map((l) => {
      const opts = l.slice(l.lastIndexOf(" ") + 1).split(",");
      const addr = opts.find((o) => o.startsWith("addr="));
      return addr ? addr.split("=")[1]! : "";
    });
}

function emit(out: MetricSet, m: NfsMount, mountaddr: string): void {
  const labels = { export: m.device, mountaddr, protocol: m.protocol };
  const c = (name: string, help: string, v: number | bigint, l: Record<string, string> = labels, type: "counter" | "gauge" = "counter") =>
    out.family(P + name, type, help).add(Number(v), l);
  c("age_seconds_total", "The age of the NFS mount in seconds.", m.age);
  BYTES.forEach(([name, help], i) => c(name, help, m.bytes[i]!));
  for (const [i, name, help, gauge] of TRANSPORT) {
    const v = i === 4 ? m.transport[i]! % MANTISSA : m.transport[i]!;
    c(name, help, v, labels, gauge ? "gauge" : "counter");
  }
  for (const op of m.operations) {
    const l = { export: m.device, mountaddr, operation: op.name, protocol: m.protocol };
    OPERATIONS.forEach(([name, help, ms], i) => c(name, help, ms ? Number(op.values[i]! % MANTISSA) / 1000 : op.values[i]!, l));
  }
  EVENTS.forEach((e, i) => {
    if (e) c(e[0], e[1], m.events[i]!);
  });
}

export const mountstats = defineCollector({
  name: "mountstats",
  defaultEnabled: false,
  create: ({ paths }) => ({
    collect(out) {
      const statsPath = procPath(paths, "self/mountstats");
      const infoPath = procPath(paths, "self/mountinfo");
      const stats = readText(statsPath);
      if (stats === null) throw new Error(`failed to parse mountstats: ${statsPath} does not exist`);
      const info = readText(infoPath);
      if (info === null) throw new Error(`failed to parse mountinfo: ${infoPath} does not exist`);
      const addrs = serverAddresses(info);
      const seen = new Set<string>();
      parseMountstats(stats).forEach((mount, idx) => {
        if (!mount.nfs) return;
        const mountaddr = addrs[idx] ?? "";
        // One series set per export, protocol and server: a mount seen again (bind mounts) is skipped.
        const key = JSON.stringify([mount.device, mount.nfs.protocol, mountaddr]);
        if (seen.has(key)) return;
        seen.add(key);
        emit(out, mount.nfs, mountaddr);
      });
    },
  }),
});
