/**
 * RTM_GETLINK over a NETLINK_ROUTE socket (through bun:ffi and libc): every interface's counters and link
 * attributes in two syscalls, where /sys/class/net costs ~20 file reads per interface. node_exporter's
 * netdev collector reads the same dump. Only for the live host: fixture trees (--path.*) use the files.
 */
import { libcFunctions } from "@agent/os";
import { FFIType } from "bun:ffi";

const AF_NETLINK = 16;
const SOCK_RAW = 3;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_ROUTE = 0;
const RTM_GETLINK = 18;
const RTM_NEWLINK = 16;
const NLM_F_REQUEST = 1;
const NLM_F_DUMP = 0x300;
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;

const IFLA = {
  ADDRESS: 1,
  BROADCAST: 2,
  IFNAME: 3,
  MTU: 4,
  LINK: 5,
  TXQLEN: 13,
  OPERSTATE: 16,
  LINKMODE: 17,
  IFALIAS: 20,
  STATS64: 23,
  GROUP: 27,
  CARRIER: 33,
  CARRIER_CHANGES: 35,
  CARRIER_UP_COUNT: 47,
  CARRIER_DOWN_COUNT: 48,
} as const;

const OPERSTATES = ["unknown", "notpresent", "down", "lowerlayerdown", "testing", "dormant", "up"];

/** struct rtnl_link_stats64, in order (u64 each); kernels append fields, so read only what is there. */
export const STATS64_FIELDS = [
  "rx_packets", "tx_packets", "rx_bytes", "tx_bytes", "rx_errors", "tx_errors", "rx_dropped", "tx_dropped",
  "multicast", "collisions", "rx_length_errors", "rx_over_errors", "rx_crc_errors", "rx_frame_errors",
  "rx_fifo_errors", "rx_missed_errors", "tx_aborted_errors", "tx_carrier_errors", "tx_fifo_errors",
  "tx_heartbeat_errors", "tx_window_errors", "rx_compressed", "tx_compressed", "rx_nohandler",
] as const;
export type Stats64 = Partial<Record<(typeof STATS64_FIELDS)[number], number>>;

export interface Link {
  index: number;
  /** ifi_type: ARPHRD_* (sysfs `type`). */
  type: number;
  /** ifi_flags, which include the runtime RUNNING/LOWER_UP/DORMANT bits sysfs `flags` leaves out. */
  flags: number;
  name: string;
  address?: string;
  broadcast?: string;
  mtu?: number;
  /** sysfs `iflink`: the kernel sends IFLA_LINK only when it differs from the interface's own index. */
  iflink: number;
  txqlen?: number;
  operstate: string;
  linkmode?: number;
  ifalias: string;
  group?: number;
  carrier?: number;
  carrierChanges?: number;
  carrierUp?: number;
  carrierDown?: number;
  stats?: Stats64;
}

interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  send(fd: number, buf: Uint8Array, len: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, len: number, flags: number): number;
  close(fd: number): number;
}

let libc: Libc | null | undefined;

function load(): Libc | null {
  if (libc !== undefined) return libc;
  const s = libcFunctions({
    socket: { args: [FFIType.i32, FFIType.i32, FFIType.i32], returns: FFIType.i32 },
    send: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    recv: { args: [FFIType.i32, FFIType.ptr, FFIType.u64, FFIType.i32], returns: FFIType.i64 },
    close: { args: [FFIType.i32], returns: FFIType.i32 },
  });
  libc = s && {
    socket: (d, t, p) => s.socket(d, t, p),
    send: (fd, b, l, f) => Number(s.send(fd, b, l, f)),
    recv: (fd, b, l, f) => Number(s.recv(fd, b, l, f)),
    close: (fd) => s.close(fd),
  };
  return libc;
}

/** One reply buffer for every dump: collectors run on one thread and each dump is read to its end. */
const rx = new Uint8Array(64 * 1024);
const rxView = new DataView(rx.buffer);

/**
 * Sends one request (`body` after the netlink header) on a netlink socket of `protocol` and hands every reply
 * of `replyType` to `each` as (view, body offset, message end) on the shared buffer: `each` must copy what it
 * keeps. A dump ends at NLMSG_DONE, any other request at its first reply. False when netlink cannot be used
 * here (no libc, no socket) or the kernel answered an error (an unknown generic netlink family, say), whose
 * errno `onError` receives: an NLMSG_ERROR, or the errno a failed dump leaves in its NLMSG_DONE.
 */
export function netlinkRequest(
  protocol: number,
  requestType: number,
  dump: boolean,
  body: Uint8Array,
  replyType: number,
  each: (view: DataView, off: number, end: number) => void,
  onError?: (errno: number) => void,
): boolean {
  const c = load();
  if (!c) return false;
  const request = new Uint8Array(16 + ((body.length + 3) & ~3));
  const v = new DataView(request.buffer);
  v.setUint32(0, request.length, true); // nlmsg_len
  v.setUint16(4, requestType, true);
  v.setUint16(6, NLM_F_REQUEST | (dump ? NLM_F_DUMP : 0), true);
  request.set(body, 16);
  const fd = c.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
  if (fd < 0) return false;
  try {
    if (c.send(fd, request, request.length, 0) !== request.length) return false;
    for (;;) {
      const n = c.recv(fd, rx, rx.length, 0);
      if (n <= 0) return false;
      let off = 0;
      while (off + 16 <= n) {
        const len = rxView.getUint32(off, true);
        const type = rxView.getUint16(off + 4, true);
        if (len < 16 || off + len > n) break;
        if (type === NLMSG_DONE || type === NLMSG_ERROR) {
          // both carry the negated errno first (NLMSG_DONE: 0 after a complete dump; old kernels may omit it)
          const error = len >= 20 ? -rxView.getInt32(off + 16, true) : 0;
          if (type === NLMSG_DONE && error === 0) return true;
          onError?.(error);
          return false;
        }
        if (type === replyType) each(rxView, off + 16, off + len);
        if (!dump) return true;
        off += (len + 3) & ~3;
      }
    }
  } finally {
    c.close(fd);
  }
}

/** An NLM_F_DUMP request over NETLINK_ROUTE with the given family header (ifinfomsg, rtmsg, tcmsg, ...). */
export function rtnlDump(requestType: number, header: Uint8Array, replyType: number, each: (view: DataView, off: number, end: number) => void): boolean {
  return netlinkRequest(NETLINK_ROUTE, requestType, true, header, replyType, each);
}

/** Calls `each(type, data offset, data length)` for every rtattr in [off, end); nested types lose their flag bits. */
export function forEachAttr(view: DataView, off: number, end: number, each: (type: number, data: number, len: number) => void): void {
  while (off + 4 <= end) {
    const len = view.getUint16(off, true);
    if (len < 4 || off + len > end) break;
    each(view.getUint16(off + 2, true) & 0x3fff, off + 4, len - 4);
    off += (len + 3) & ~3;
  }
}

/** A link-layer address as Go's net.HardwareAddr prints it: lowercase hex bytes joined by colons. */
export function hardwareAddr(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += (i ? ":" : "") + (bytes[i]! < 16 ? "0" : "") + bytes[i]!.toString(16);
  return s;
}

const mac = (off: number, len: number) => hardwareAddr(rx.subarray(off, off + len));

/** A NUL-terminated string attribute of the reply being read. */
export function attrString(off: number, len: number): string {
  let s = "";
  for (let i = off; i < off + len && rx[i] !== 0; i++) s += String.fromCharCode(rx[i]!);
  return s;
}

function parseLink(off: number, end: number): Link {
  const link: Link = {
    index: rxView.getInt32(off + 4, true),
    type: rxView.getUint16(off + 2, true),
    flags: rxView.getUint32(off + 8, true),
    name: "",
    iflink: 0,
    operstate: "unknown",
    ifalias: "",
  };
  link.iflink = link.index;
  forEachAttr(rxView, off + 16, end, (type, d, dlen) => {
    const u32 = () => rxView.getUint32(d, true);
    switch (type) {
      case IFLA.IFNAME: link.name = attrString(d, dlen); break;
      case IFLA.ADDRESS: link.address = mac(d, dlen); break;
      case IFLA.BROADCAST: link.broadcast = mac(d, dlen); break;
      case IFLA.MTU: link.mtu = u32(); break;
      case IFLA.LINK: link.iflink = u32(); break;
      case IFLA.TXQLEN: link.txqlen = u32(); break;
      case IFLA.OPERSTATE: link.operstate = OPERSTATES[rx[d]!] ?? "unknown"; break;
      case IFLA.LINKMODE: link.linkmode = rx[d]!; break;
      case IFLA.IFALIAS: link.ifalias = attrString(d, dlen); break;
      case IFLA.GROUP: link.group = u32(); break;
      case IFLA.CARRIER: link.carrier = rx[d]!; break;
      case IFLA.CARRIER_CHANGES: link.carrierChanges = u32(); break;
      case IFLA.CARRIER_UP_COUNT: link.carrierUp = u32(); break;
      case IFLA.CARRIER_DOWN_COUNT: link.carrierDown = u32(); break;
      case IFLA.STATS64: {
        const stats: Stats64 = {};
        for (let i = 0; i < STATS64_FIELDS.length && (i + 1) * 8 <= dlen; i++) stats[STATS64_FIELDS[i]!] = Number(rxView.getBigUint64(d + i * 8, true));
        link.stats = stats;
        break;
      }
    }
  });
  return link;
}

/**
 * Every network interface of the host, or null when netlink cannot be used here (no libc, no socket).
 * netdev and netclass both need it: they share one dump per scrape through `ctx.scrape.once(dumpLinks)`.
 */
export function dumpLinks(): Link[] | null {
  const links: Link[] = [];
  // ifinfomsg: family AF_UNSPEC and the rest zero: every link
  return rtnlDump(RTM_GETLINK, new Uint8Array(16), RTM_NEWLINK, (_, off, end) => links.push(parseLink(off, end))) ? links : null;
}
