/**
 * TCP sockets of this network namespace over NETLINK_SOCK_DIAG (inet_diag), as node_exporter's tcpstat reads
 * them. Unlike /proc/net/tcp, inet_diag gives a listening socket's backlog limit as its write queue.
 */
import { netlinkRequest } from "./netlink.ts";

const NETLINK_SOCK_DIAG = 4;
const SOCK_DIAG_BY_FAMILY = 20;
const IPPROTO_TCP = 6;
/** TCPF_ALL: every TCP state, ESTABLISHED (1) to CLOSING (11), and bit 0. */
const ALL_STATES = 0xfff;

export const AF_INET = 2;
export const AF_INET6 = 10;

/** One socket's state (TCP_ESTABLISHED = 1 ... TCP_CLOSING = 11) and queues, as inet_diag_msg gives them. */
export interface TcpSocket {
  state: number;
  /** Bytes received and not read; a listening socket's current accept queue. */
  rqueue: number;
  /** Bytes sent and not acknowledged; a listening socket's backlog limit. */
  wqueue: number;
}

/** Every TCP socket of `family` (AF_INET or AF_INET6), or null when the kernel or libc refused the dump. */
export function dumpTcpSockets(family: number): TcpSocket[] | null {
  // inet_diag_req_v2: family, protocol, ext (no extensions: the header is all tcpstat uses), pad, states,
  // then a zero inet_diag_sockid (48 bytes), which a dump ignores
  const request = new Uint8Array(56);
  const v = new DataView(request.buffer);
  v.setUint8(0, family);
  v.setUint8(1, IPPROTO_TCP);
  v.setUint32(4, ALL_STATES, true);
  const sockets: TcpSocket[] = [];
  // inet_diag_msg: family, state, timer, retrans, sockid (48), expires, rqueue, wqueue, uid, inode
  const ok = netlinkRequest(NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, true, request, SOCK_DIAG_BY_FAMILY, (view, off) => {
    sockets.push({ state: view.getUint8(off + 1), rqueue: view.getUint32(off + 56, true), wqueue: view.getUint32(off + 60, true) });
  });
  return ok ? sockets : null;
}
